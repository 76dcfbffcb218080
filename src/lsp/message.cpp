#include "lsp/message.hpp"

#include <limits>

namespace triage::lsp {

namespace {

// A JSON null that lives as long as the program. A default-constructed dom::element has no
// document, and reading it is undefined behaviour (the LSP fuzzer found a message without params
// doing so), so a message without params gets this instead.
simdjson::dom::element json_null() {
    static const simdjson::padded_string text(std::string_view("null"));
    static simdjson::dom::parser parser;
    static const simdjson::dom::element element = parser.parse(text).value_unsafe();
    return element;
}

}  // namespace

std::variant<Message, MessageError> read_message(simdjson::dom::parser& parser, const std::string& body) {
    simdjson::dom::element root;
    if (parser.parse(body).get(root) != simdjson::SUCCESS) return MessageError{parse_error, "the message is not JSON", {}};
    simdjson::dom::object object;
    if (root.get(object) != simdjson::SUCCESS)
        return MessageError{invalid_request, "a message is a JSON object", {}};
    Message message;
    simdjson::dom::element id;
    if (object["id"].get(id) == simdjson::SUCCESS) {
        if (!id.is_int64() && !id.is_string() && !id.is_null())
            return MessageError{invalid_request, "a request id is a number or a string", {}};
        if (!id.is_null()) message.id = simdjson::minify(id);
    }
    simdjson::dom::element method;
    if (object["method"].get(method) == simdjson::SUCCESS) {
        std::string_view name;
        if (method.get(name) != simdjson::SUCCESS)
            return MessageError{invalid_request, "a method is a string", message.id};
        message.method = name;
    }
    if (object["params"].get(message.params) != simdjson::SUCCESS) message.params = json_null();
    return message;
}

std::optional<simdjson::dom::element> value_at(simdjson::dom::element value,
                                              std::initializer_list<std::string_view> keys) {
    for (std::string_view key : keys) {
        simdjson::dom::object object;
        if (value.get(object) != simdjson::SUCCESS || object[key].get(value) != simdjson::SUCCESS) return std::nullopt;
    }
    return value;
}

std::optional<std::string_view> string_at(simdjson::dom::element value, std::initializer_list<std::string_view> keys) {
    std::string_view text;
    auto found = value_at(value, keys);
    if (!found || found->get(text) != simdjson::SUCCESS) return std::nullopt;
    return text;
}

std::optional<std::int64_t> integer_at(simdjson::dom::element value, std::initializer_list<std::string_view> keys) {
    std::int64_t number = 0;
    auto found = value_at(value, keys);
    if (!found || found->get(number) != simdjson::SUCCESS) return std::nullopt;
    return number;
}

std::optional<bool> boolean_at(simdjson::dom::element value, std::initializer_list<std::string_view> keys) {
    bool flag = false;
    auto found = value_at(value, keys);
    if (!found || found->get(flag) != simdjson::SUCCESS) return std::nullopt;
    return flag;
}

std::optional<Position> position_at(simdjson::dom::element value, std::string_view key) {
    auto line = integer_at(value, {key, "line"});
    auto character = integer_at(value, {key, "character"});
    constexpr std::int64_t most = std::numeric_limits<std::uint32_t>::max();
    if (!line || !character || *line < 0 || *character < 0 || *line > most || *character > most) return std::nullopt;
    return Position{static_cast<std::uint32_t>(*line), static_cast<std::uint32_t>(*character)};
}

}  // namespace triage::lsp
