// JSON-RPC 2.0 messages as the server reads them (simdjson, the library's JSON reader already),
// and the few shapes of LSP parameters every handler reads.
#pragma once

#include "lsp/positions.hpp"

#include <simdjson.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace triage::lsp {

// JSON-RPC and LSP error codes.
enum ErrorCode : int {
    parse_error = -32700,
    invalid_request = -32600,
    method_not_found = -32601,
    invalid_params = -32602,
    internal_error = -32603,
    server_not_initialized = -32002,
    request_failed = -32803,
    request_cancelled = -32800,
};

// A request (with an id), a notification (without), or a response from the client (an id and
// no method, which this server never asks for and ignores). Views the parser's document.
struct Message {
    std::string_view method;
    std::optional<std::string> id;  // as JSON text: 7 or "seven", to be written back as it came
    simdjson::dom::element params;  // null when there are none
};

// Why a body is not a JSON-RPC message: the error to answer with (id when one could be read).
struct MessageError {
    int code = invalid_request;
    std::string message;
    std::optional<std::string> id;
};

// Parses `body` with `parser` (the message views it until the parser's next parse).
[[nodiscard]] std::variant<Message, MessageError> read_message(simdjson::dom::parser& parser, const std::string& body);

// The value at a path of object keys, if each is there and the last has the type.
[[nodiscard]] std::optional<simdjson::dom::element> value_at(simdjson::dom::element value,
                                                            std::initializer_list<std::string_view> keys);
[[nodiscard]] std::optional<std::string_view> string_at(simdjson::dom::element value,
                                                        std::initializer_list<std::string_view> keys);
[[nodiscard]] std::optional<std::int64_t> integer_at(simdjson::dom::element value,
                                                     std::initializer_list<std::string_view> keys);
[[nodiscard]] std::optional<bool> boolean_at(simdjson::dom::element value, std::initializer_list<std::string_view> keys);
// An LSP Position object at `key`; characters and lines outside 0 .. 2^32-1 are refused.
[[nodiscard]] std::optional<Position> position_at(simdjson::dom::element value, std::string_view key);

}  // namespace triage::lsp
