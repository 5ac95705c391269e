// placeholder: the sweeps issue
