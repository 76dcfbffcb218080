// HTML markup in a text, as exports carry it: YouTube's textDisplay and Mastodon's content are
// HTML ("didn&#39;t", "<br>", "<p>"), Twitter's text writes & < > as &amp; &lt; &gt;. Folding
// reads a character reference as its character and a line or paragraph break tag as a space,
// so that a phrase matches what the reader of the post sees.
#pragma once

#include <cstddef>
#include <string_view>

namespace triage::detail {

// What the markup at one position of a text reads as: `length` bytes (0: no markup there) that
// stand for the code point `c`.
struct Markup {
    std::size_t length = 0;
    char32_t c = 0;
};

// The markup that starts at byte `at` of `text`: a numeric character reference (&#39; &#x2019;,
// of a Unicode scalar value other than NUL), a named one of those HTML writers use (&amp; &lt;
// &gt; &quot; &apos; &nbsp; typographic quotes and dashes …), always with its ';', or one of the
// tags <br>, <br/>, <br />, <p>, </p> in any case (read as a space).
[[nodiscard]] Markup markup_at(std::string_view text, std::size_t at) noexcept;

// True when some byte of `text` starts markup: an ASCII text without it is read as it is.
[[nodiscard]] bool has_markup(std::string_view text) noexcept;

}  // namespace triage::detail
