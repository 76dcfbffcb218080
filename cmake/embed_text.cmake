# Writes the bytes of SOURCE into OUTPUT as a C++ string_view named NAME (namespace triage::cli):
# documentation compiled into the CLI so that it answers offline (`triage help T012`).
# Usage: cmake -DSOURCE=... -DOUTPUT=... -DNAME=... -P embed_text.cmake
file(READ "${SOURCE}" hex HEX)
# Every byte as a \xHH escape: no delimiter or trigraph in the text can end the literal early.
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${hex}")
file(WRITE "${OUTPUT}.new" "// Generated from ${SOURCE} by cmake/embed_text.cmake: do not edit.\n"
  "#include <string_view>\n"
  "namespace triage::cli {\n"
  "extern const std::string_view ${NAME};\n"
  "namespace { constexpr char ${NAME}_bytes[] = \"${escaped}\"; }\n"
  "const std::string_view ${NAME}(${NAME}_bytes, sizeof ${NAME}_bytes - 1);\n"
  "}  // namespace triage::cli\n")
# Rewritten only when it changed: no rebuild of the CLI for a build that touched nothing.
file(COPY_FILE "${OUTPUT}.new" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.new")
