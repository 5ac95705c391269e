#pragma once
// Internal to the output layer: how results files are opened, by writers and by readers,
// including files a writer has open or was killed with.
#include "output/hdf5_handles.hpp"

namespace xsector::hdf5 {

// File access properties of a writer; `clear_crash_mark` also clears the "open for
// writing" mark a killed writer leaves (as `h5clear -s` does).
Handle writer_access(Path path, bool clear_crash_mark);
Handle open_for_writing(Path path, bool clear_crash_mark, bool swmr);

// A writer stores the end-of-file address (EOA) in the superblock only when it flushes,
// while objects it allocates are written past it. Writing runs allocates nothing, but
// write_snapshot does: a writer killed there leaves objects past the stored EOA, and
// writing them again fails ("addr overflow"). SWMR readers allow for this; a writer taking
// over moves the EOA to the real end of the file, which covers everything written.
void repair_end_of_file(Path path, hid_t file);

// The "open for writing" mark of a superblock (version 2 or later, at the start of the
// file), read directly: it tells a finished file from one a writer has open or was killed
// with, before choosing how to open it.
enum class WriterMark { none, swmr_writer, plain_writer, unknown };
WriterMark writer_mark(Path path);

// Read-only open of a finished file, of one a writer has open, or of one left by a killed
// writer. A finished file that fails to open (a truncated copy) is reported as damaged,
// never read with the end-of-file check off.
Handle open_for_reading(Path path);

// Refuses files that are not xsector results files, or come from a newer xsector.
void check_format(Path path, hid_t file);

}  // namespace xsector::hdf5
