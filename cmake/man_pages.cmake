# Writes triage's man pages into DIR, gzipped (Debian policy; man reads .gz): `triage man` makes
# triage.1 and triage-COMMAND.1, then each is compressed with gzip -9n (no name or time stamp in
# the file, so a rebuild gives the same bytes). DIR is emptied first: a page of a command that no
# longer exists is not left behind for the package. Run as a build step:
#   cmake -DTRIAGE=path/to/triage -DDIR=build/man -DSOURCE_DIR=. -P man_pages.cmake
#
# The pages' date (.TH) comes from the sources, never from the clock, so that the same sources
# give the same package: SOURCE_DATE_EPOCH when set (what Debian's and other reproducible builds
# set), else the date of the checkout's last commit, else (a source tarball without .git) the
# modification time of docs/changelog.md, which tar keeps.
foreach(required TRIAGE DIR SOURCE_DIR)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "man_pages.cmake: -D${required}=... is required")
  endif()
endforeach()
find_program(GZIP gzip REQUIRED)
if(NOT DEFINED ENV{SOURCE_DATE_EPOCH})
  find_program(GIT git)
  if(GIT)
    execute_process(COMMAND "${GIT}" -C "${SOURCE_DIR}" log -1 --format=%ct
                    OUTPUT_VARIABLE commit_time OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE status)
    if(status EQUAL 0 AND commit_time MATCHES "^[0-9]+$")
      set(ENV{SOURCE_DATE_EPOCH} "${commit_time}")
    endif()
  endif()
endif()
if(DEFINED ENV{SOURCE_DATE_EPOCH})
  string(TIMESTAMP date "%Y-%m-%d" UTC)  # SOURCE_DATE_EPOCH's day: string(TIMESTAMP) reads it
else()
  file(TIMESTAMP "${SOURCE_DIR}/docs/changelog.md" date "%Y-%m-%d" UTC)
endif()
file(REMOVE_RECURSE "${DIR}")
execute_process(COMMAND "${TRIAGE}" man --date "${date}" "${DIR}" RESULT_VARIABLE status)
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
