# Writes triage's man pages into DIR, gzipped (Debian policy; man reads .gz): `triage man` makes
# triage.1 and triage-COMMAND.1, then each is compressed with gzip -9n (no name or time stamp in
# the file, so a rebuild gives the same bytes). DIR is emptied first: a page of a command that no
# longer exists is not left behind for the package. Run as a build step:
#   cmake -DTRIAGE=path/to/triage -DDIR=build/man -P man_pages.cmake
foreach(required TRIAGE DIR)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "man_pages.cmake: -D${required}=... is required")
  endif()
endforeach()
find_program(GZIP gzip REQUIRED)
file(REMOVE_RECURSE "${DIR}")
execute_process(COMMAND "${TRIAGE}" man "${DIR}" RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "man_pages.cmake: `${TRIAGE} man ${DIR}` failed (${status})")
endif()
file(GLOB pages "${DIR}/*.1")
if(NOT pages)
  message(FATAL_ERROR "man_pages.cmake: `${TRIAGE} man` wrote no page into ${DIR}")
endif()
execute_process(COMMAND "${GZIP}" -9 -n -f ${pages} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "man_pages.cmake: gzip failed (${status})")
endif()
