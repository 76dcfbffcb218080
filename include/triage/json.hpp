// Mentions as JSON objects (one per line in a JSON Lines export), parsed with simdjson.
// Nested objects map onto dotted field names: {"author": {"followers": 10}} sets author.followers.
#pragma once

#include "triage/flow.hpp"
#include "triage/record.hpp"
#include "triage/time.hpp"
#include "triage/value.hpp"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace triage {

struct JsonOptions {
    // Record key (dotted for nested keys) → flow field, for exports whose names differ.
    std::vector<std::pair<std::string, std::string>> renames;
    // The key whose value is copied to decisions unchanged, to tie them to their mention.
    std::string id_key = "id";
    // Records are untrusted input too (see docs/security.md); past these a line is an error.
    std::size_t max_line_bytes = 1u << 20;  // --limit line-length
    std::uint32_t max_keys = 10'000;        // --limit fields: keys read in one record, nested ones included
    std::uint32_t max_depth = 64;           // --limit json-depth: nesting of objects and arrays
};

// Reads one JSON object at a time; the record it exposes stays valid until the next read().
// Value rules: null or an absent key is a missing field; text fields take strings; number and
// integer fields take numbers; bool fields take true/false; `one of` fields take strings; time
// fields take RFC 3339 strings ("2026-11-22T09:30:00Z", offsets and fractions allowed) or
// numbers of seconds since the Unix epoch (years 0000-9999). Keys the flow does not declare are ignored.
// A value of the wrong type makes the whole line an error: nothing is coerced silently. So does
// a key the flow reads appearing twice in one object, invalid UTF-8, and a line past the limits
// above. A UTF-8 byte-order mark at the start of a line is skipped.
class JsonRecordReader {
public:
    explicit JsonRecordReader(Flow flow, JsonOptions options = {});
    ~JsonRecordReader();
    JsonRecordReader(JsonRecordReader&&) noexcept;
    JsonRecordReader& operator=(JsonRecordReader&&) noexcept;

    // Parses `json`. Returns false, with a message in error(), for malformed JSON, a value that
    // is not an object, or a value of the wrong type for its field.
    bool read(std::string_view json);
    // The same without copying: at least `padding` readable bytes (of any value) must follow
    // json.end() in memory — as they do for every line of a buffer that has them at its end.
    static constexpr std::size_t padding = 64;
    bool read_padded(std::string_view json);
    [[nodiscard]] const std::string& error() const noexcept;

    [[nodiscard]] RecordView view() const noexcept;
    // The id value as JSON text (e.g. "\"m-1\"" or "42"), empty when the record has none.
    [[nodiscard]] std::string_view id() const noexcept;
    [[nodiscard]] FieldValue value(std::uint32_t slot) const noexcept;

    // The error for a line of `bytes` bytes, past `limit`: what read() says, and what `triage run`
    // says for a line it did not keep.
    [[nodiscard]] static std::string line_too_long(std::uint64_t bytes, std::size_t limit);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace triage
