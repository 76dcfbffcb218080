// A small streaming JSON writer: commas and escaping handled once, here. Public so that hosts
// writing their own JSON around triage's (decision_json.hpp, diagnostic.hpp) escape alike.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

// Appends `s` to `out` as a JSON string: quoted, with '"', '\\' and control characters escaped
// (the text is otherwise copied as it is: give it valid UTF-8).
inline void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    // Runs of characters that need no escape are appended in one go.
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: {
            static constexpr char hex[] = "0123456789abcdef";
            const char escaped[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out.append(escaped, sizeof escaped);
        }
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
}

class JsonWriter {
public:
    JsonWriter& begin_object() { return open('{'); }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() { return open('['); }
    JsonWriter& end_array() { return close(']'); }

    JsonWriter& key(std::string_view name) {
        separate();
        append_string(name);
        out_ += ':';
        after_key_ = true;
        return *this;
    }
    JsonWriter& string(std::string_view value) {
        separate();
        append_string(value);
        return *this;
    }
    JsonWriter& number(std::int64_t value) {
        separate();
        char digits[24];
        auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
        out_.append(digits, static_cast<std::size_t>(end - digits));
        return *this;
    }
    JsonWriter& number(double value);  // the shortest text that reads back as the same double
    JsonWriter& number(std::uint32_t value) { return number(static_cast<std::int64_t>(value)); }
    JsonWriter& boolean(bool value) {
        separate();
        out_ += value ? "true" : "false";
        return *this;
    }
    // Inserts already-serialised JSON (e.g. a value copied from the input).
    JsonWriter& raw(std::string_view json) {
        separate();
        out_ += json;
        return *this;
    }
    JsonWriter& null() {
        separate();
        out_ += "null";
        return *this;
    }

    [[nodiscard]] const std::string& str() const { return out_; }
    void clear() {
        out_.clear();
        first_.clear();
        after_key_ = false;
    }
    std::string take() { return std::move(out_); }

private:
    JsonWriter& open(char bracket) {
        separate();
        out_ += bracket;
        first_.push_back(true);
        return *this;
    }
    JsonWriter& close(char bracket) {
        out_ += bracket;
        first_.pop_back();
        return *this;
    }
    void separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (first_.empty()) return;
        if (!first_.back()) out_ += ',';
        first_.back() = false;
    }
    void append_string(std::string_view s) { append_json_string(out_, s); }

    std::string out_;
    std::vector<bool> first_;
    bool after_key_ = false;
};

}  // namespace triage
