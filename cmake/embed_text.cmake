# Writes a C++ source that holds a text file's bytes, so the library carries a document (such as
# docs/diagnostics.md) and needs no file at run time. Run as a build step:
#   cmake -DINPUT=docs/diagnostics.md -DOUTPUT=out.cpp -DNAMESPACE=triage::detail -DNAME=diagnostics_markdown -P embed_text.cmake
# The source defines `extern const std::string_view NAMESPACE::NAME`. Bytes, not a string
# literal: no delimiter can clash with the text, and no compiler limit on literal length applies.
foreach(required INPUT OUTPUT NAMESPACE NAME)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "embed_text.cmake: -D${required}=... is required")
  endif()
endforeach()
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# 24 bytes a line (CMake's regular expressions have no {n}).
string(REPEAT "0x[0-9a-f][0-9a-f]," 24 line_of_bytes)
string(REGEX REPLACE "(${line_of_bytes})" "\\1\n" bytes "${bytes}")
get_filename_component(input_name "${INPUT}" NAME)
file(WRITE "${OUTPUT}.tmp" "// Generated from ${input_name} by cmake/embed_text.cmake at build time: do not edit.
#include <string_view>

namespace ${NAMESPACE} {

namespace {
constexpr unsigned char ${NAME}_bytes[${size} + 1] = {
${bytes}0x00};
}  // namespace

extern const std::string_view ${NAME};
const std::string_view ${NAME}{reinterpret_cast<const char*>(${NAME}_bytes), ${size}};

}  // namespace ${NAMESPACE}
")
# Only a changed text touches the output, so an unrelated rebuild recompiles nothing.
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
