// A SIMD filter for a field's phrases in the manner of Hyperscan's Teddy: phrases are put in up
// to eight buckets, and the first one to three bytes of each (its fingerprint) in nibble tables,
// so that one `pshufb` per table and fingerprint byte tells, for 16 or 32 text bytes at once,
// which buckets may have a phrase starting at each byte. Only there are the bucket's phrases
// compared in full. The cost per block is the same for one phrase or sixteen; what grows with the
// phrases is how often a block has a candidate.
//
// It reads text as PhraseMatcher's automaton does (ASCII text as it is, other text folded
// first): a phrase byte that is an ASCII letter is found in either case (both cases' nibbles are
// in the tables, and the comparison ORs 0x20 there); every other byte is compared as it is.
// Phrases holding white space are not taken (a space in a phrase matches a run of white space).
// SSSE3 (16-byte blocks) or AVX2 (32), chosen at run time; nothing else runs these instructions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace triage::detail {

class TeddyScan {
public:
    // The most phrases a field may have for the filter: with more, eight buckets hold several
    // fingerprints each, most blocks of text have a candidate, and verifying them costs more than
    // the automaton (measured break-even about 20 on acme.flow's texts: bench/README.md, "Teddy").
    static constexpr std::size_t max_phrases = 16;
    static constexpr std::size_t buckets = 8;
    // The longest phrase it takes: a candidate costs at most eight 8-byte compares per phrase of
    // its bucket, so that the work per text byte stays bounded however hostile the text.
    static constexpr std::size_t max_length = 64;

    enum class Kernel : std::uint8_t { none, ssse3, avx2 };
    // The widest kernel this processor runs (none on other processors than x86-64).
    [[nodiscard]] static Kernel best_kernel() noexcept;
    [[nodiscard]] static bool runs(Kernel kernel) noexcept;

    // Whether it can find these folded phrases (the automaton's, by id): at most max_phrases,
    // none longer than max_length or holding white space or an ASCII capital. Empty phrases
    // (folded to nothing) are never found.
    [[nodiscard]] static bool suits(const std::vector<std::string>& phrases) noexcept;
    // The fingerprint these phrases would get: bytes of the shortest non-empty one, at most 3.
    [[nodiscard]] static std::size_t fingerprint_length(const std::vector<std::string>& phrases) noexcept;

    // `checked`: per phrase, whether a match must also be accepted by the caller (word boundaries).
    // `kernel` must run on this processor.
    void build(const std::vector<std::string>& phrases, const std::vector<bool>& checked, Kernel kernel);
    [[nodiscard]] Kernel kernel() const noexcept { return kernel_; }

    // Called where a checked phrase `id` is found ending at `end`: whether it counts there.
    using Accept = bool (*)(const void* context, std::uint32_t id, std::size_t end);

    // Marks in `matched` (one bit per phrase id) every phrase found in `text`.
    void scan(std::string_view text, std::uint64_t* matched, Accept accept, const void* context) const;

    // One phrase as verification reads it.
    struct Literal {
        std::uint64_t head = 0, head_fold = 0, head_mask = 0;  // its first 8 bytes, 0x20 per letter, 0xFF per byte
        std::uint32_t id = 0;
        std::uint32_t length = 0;
        std::uint32_t offset = 0;  // of its bytes in bytes_ and fold_
        bool checked = false;
    };
    // Per fingerprint byte: which buckets hold a phrase whose byte there has this low nibble, and
    // this high nibble; each table twice (both 16-byte lanes of an AVX2 register).
    struct Tables {
        std::array<std::array<unsigned char, 32>, 3> low{}, high{};
        std::size_t length = 0;  // of the fingerprint
    };
    // What verification reads.
    struct Phrases {
        std::vector<Literal> literals;                    // by bucket
        std::array<std::uint16_t, buckets + 1> bucket{};  // bucket b: literals [bucket[b], bucket[b + 1])
        std::string bytes, fold;                          // every phrase, and 0x20 where it holds a letter
    };

private:
    Tables tables_;
    Phrases phrases_;
    Kernel kernel_ = Kernel::none;
};

}  // namespace triage::detail
