# Writes version.cpp with `git describe` of the source tree, at every build (not only at
# configure time), so that the version in every output file's provenance and the resume
# check names the code that was built. configure_file rewrites the file only when the text
# changes, so an unchanged tree recompiles nothing.
# Called by the xsector_version target in sim/CMakeLists.txt with SOURCE_DIR,
# PROJECT_VERSION, INPUT and OUTPUT.
execute_process(COMMAND git describe --always --dirty --tags
                WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE XSECTOR_GIT_DESCRIBE OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET)
if(NOT XSECTOR_GIT_DESCRIBE)
  set(XSECTOR_GIT_DESCRIBE "unknown")
endif()
set(XSECTOR_VERSION_STRING "${PROJECT_VERSION}+${XSECTOR_GIT_DESCRIBE}")
configure_file(${INPUT} ${OUTPUT} @ONLY)
