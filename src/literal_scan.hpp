// A SIMD scan for a field with few short phrases, none holding a space (Wojciech Muła's
// "SIMD-friendly substring search"): for each phrase, the text's blocks of 32 bytes are
// compared with the phrase's first byte and, shifted by its length, with its last byte; where
// both agree the phrase is compared in full. ASCII capitals are read as lower case by OR-ing
// 0x20 where the phrase holds a letter; every other byte compares as it is, so it reads text as
// PhraseMatcher's automaton does (ASCII text as it is, other text folded first). Each phrase is
// looked for until it is found once. AVX2 only, chosen at run time: elsewhere (x86-64 without
// AVX2, where 16-byte blocks measured slower than the automaton, and other processors) the
// automaton scans instead.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace triage::detail {

class LiteralScan {
public:
    // The largest field it is built for, and the longest phrase it holds (chosen by measurement:
    // bench/README.md, "A SIMD literal scan").
    static constexpr std::size_t max_phrases = 12;
    static constexpr std::size_t max_length = 64;

    // Whether this processor runs it (x86-64 with AVX2).
    [[nodiscard]] static bool available() noexcept;
    // Whether it can scan for these folded phrases (the automaton's, by id): at most
    // max_phrases, each at most max_length bytes, no white space, no ASCII capital; available().
    [[nodiscard]] static bool suits(const std::vector<std::string>& phrases) noexcept;

    // `checked`: per phrase, whether a match must also be accepted by the caller (word boundaries).
    void build(const std::vector<std::string>& phrases, const std::vector<bool>& checked);

    // Called where a checked phrase `id` is found ending at `end`: whether it counts there.
    using Accept = bool (*)(const void* context, std::uint32_t id, std::size_t end);

    // Marks in `matched` (one bit per phrase id) every phrase found in `text`.
    void scan(std::string_view text, std::uint64_t* matched, Accept accept, const void* context) const;

    // One phrase as the kernels read it.
    struct Literal {
        std::array<unsigned char, 32> first, first_fold, last, last_fold;  // the byte, and 0x20 or 0, 32 times
        std::array<unsigned char, max_length> bytes{}, fold{};  // the phrase, and 0x20 where it holds a letter
        std::uint32_t id = 0;
        std::uint32_t length = 0;
        bool checked = false;
    };

private:
    std::vector<Literal> literals_;
};

}  // namespace triage::detail
