#include "literal_scan.hpp"

#include "text_fold.hpp"

#include <algorithm>
#include <cstring>

namespace triage::detail {

namespace {

bool is_lower_letter(unsigned char b) noexcept { return b >= 'a' && b <= 'z'; }

#if defined(__x86_64__)

// Bytes `length` of the text at `t` equal the phrase's, ASCII capitals read as lower case where
// the phrase holds a letter: eight bytes per step, the last step overlapping the one before.
bool equal_folded(const unsigned char* t, const LiteralScan::Literal& p) noexcept {
    const std::size_t length = p.length;
    if (length < 8) {
        for (std::size_t k = 1; k + 1 < length; ++k)  // the first and last bytes are known equal
            if ((t[k] | p.fold[k]) != p.bytes[k]) return false;
        return true;
    }
    auto word = [](const unsigned char* at) {
        std::uint64_t w;
        std::memcpy(&w, at, 8);
        return w;
    };
    for (std::size_t k = 0;; k += 8) {
        const std::size_t at = std::min(k, length - 8);
        if ((word(t + at) | word(p.fold.data() + at)) != word(p.bytes.data() + at)) return false;
        if (at == length - 8) return true;
    }
}

// Where a block's candidates (bit j: the phrase may start at byte start + j) are compared in
// full: whether the phrase is found (and accepted, for a word list phrase).
struct Candidates {
    const unsigned char* text;
    std::uint64_t* matched;
    LiteralScan::Accept accept;
    const void* context;

    bool found(const LiteralScan::Literal& p, std::size_t start, std::uint64_t bits) const {
        for (; bits != 0; bits &= bits - 1) {
            const std::size_t at = start + static_cast<std::size_t>(__builtin_ctzll(bits));
            if (!equal_folded(text + at, p)) continue;
            if (p.checked && !accept(context, p.id, at + p.length)) continue;
            matched[p.id / 64] |= std::uint64_t{1} << (p.id % 64);
            return true;
        }
        return false;
    }
};

// Where a phrase of up to max_length bytes may still start in the last bytes of a text, too
// close to its end for a whole block to be read there: those bytes, copied once per scan into a
// buffer with zeros after them (positions past the end are masked off).
constexpr std::size_t tail_reach = 32 + LiteralScan::max_length;

// (A typedef: GCC drops vector_size from a type that depends on a template parameter.)
typedef unsigned char Bytes32 __attribute__((vector_size(32)));

struct Avx2 {
    using Bytes = Bytes32;
    // Through a reference: a 32-byte vector returned by value would warn of an ABI change (-Wpsabi).
    [[gnu::always_inline]] static void load(Bytes& v, const unsigned char* at) noexcept { std::memcpy(&v, at, sizeof v); }
    // Inlined only into scan_avx2, which has the same target.
    [[gnu::target("avx2")]] static std::uint32_t movemask(const Bytes& equal) noexcept {
        using Chars = char __attribute__((vector_size(32)));
        return static_cast<std::uint32_t>(__builtin_ia32_pmovmskb256(reinterpret_cast<const Chars&>(equal)));
    }
};

// One phrase's test of a block: bit j says that its first and last bytes are found where it
// would start at byte j.
template <class V>
struct Probe {
    using Bytes = typename V::Bytes;
    Bytes first, first_fold, last, last_fold;
    std::size_t shift;

    [[gnu::always_inline]] explicit Probe(const LiteralScan::Literal& p) : shift(p.length - 1) {
        V::load(first, p.first.data());
        V::load(first_fold, p.first_fold.data());
        V::load(last, p.last.data());
        V::load(last_fold, p.last_fold.data());
    }

    [[gnu::always_inline]] std::uint32_t bits(const unsigned char* at) const noexcept {
        Bytes head, end;
        V::load(head, at);
        V::load(end, at + shift);
        const auto equal = ((head | first_fold) == first) & ((end | last_fold) == last);
        return V::movemask(reinterpret_cast<const Bytes&>(equal));
    }
};

// The kernel, inlined into scan_avx2, whose target decides the instructions (GCC vector
// extensions, no intrinsics: nothing here needs AVX2 to be compiled, and nothing of it runs with
// AVX2 instructions outside scan_avx2). Templated on the vector width, which was measured at 16
// bytes (SSE2) too: slower than the automaton, so not built (bench/README.md).
template <class V>
[[gnu::always_inline]] inline void scan_blocks(const std::vector<LiteralScan::Literal>& literals, std::string_view text,
                                               const Candidates& candidates) {
    constexpr std::size_t width = sizeof(typename V::Bytes);
    const auto* t = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    const std::size_t base = n > tail_reach ? n - tail_reach : 0;
    unsigned char tail[2 * tail_reach] = {};
    std::memcpy(tail, t + base, n - base);
    for (const LiteralScan::Literal& p : literals) {
        const Probe<V> probe(p);
        std::size_t i = 0;
        bool found = false;
        for (; !found && i + probe.shift + width <= n; i += width)
            if (const std::uint32_t bits = probe.bits(t + i); bits != 0) found = candidates.found(p, i, bits);
        if (found || i + p.length > n) continue;
        // The last starts, fewer than a block, read from the copy (i > base: shift < max_length).
        const std::uint64_t starts = std::uint64_t{1} << (n - p.length + 1 - i);
        if (const std::uint64_t bits = probe.bits(tail + (i - base)) & (starts - 1); bits != 0)
            candidates.found(p, i, bits);
    }
}

[[gnu::target("avx2"), gnu::noinline]] void scan_avx2(const std::vector<LiteralScan::Literal>& literals,
                                                      std::string_view text, const Candidates& candidates) {
    scan_blocks<Avx2>(literals, text, candidates);
}

#endif

}  // namespace

bool LiteralScan::available() noexcept {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx2");
#else
    return false;
#endif
}

bool LiteralScan::suits(const std::vector<std::string>& phrases) noexcept {
    if (!available() || phrases.size() > max_phrases) return false;
    return std::all_of(phrases.begin(), phrases.end(), [](const std::string& p) {
        return p.size() <= max_length && std::none_of(p.begin(), p.end(), [](char c) {
                   const auto b = static_cast<unsigned char>(c);
                   return is_space_byte(b) || (b >= 'A' && b <= 'Z');
               });
    });
}

void LiteralScan::build(const std::vector<std::string>& phrases, const std::vector<bool>& checked) {
    literals_.clear();
    for (std::uint32_t id = 0; id < phrases.size(); ++id) {
        const std::string& phrase = phrases[id];
        if (phrase.empty()) continue;  // folded to nothing: never found
        Literal p;
        p.id = id;
        p.length = static_cast<std::uint32_t>(phrase.size());
        p.checked = checked[id];
        for (std::size_t k = 0; k < phrase.size(); ++k) {
            p.bytes[k] = static_cast<unsigned char>(phrase[k]);
            p.fold[k] = is_lower_letter(p.bytes[k]) ? 0x20 : 0;
        }
        p.first.fill(p.bytes[0]);
        p.first_fold.fill(p.fold[0]);
        p.last.fill(p.bytes[p.length - 1]);
        p.last_fold.fill(p.fold[p.length - 1]);
        literals_.push_back(p);
    }
}

void LiteralScan::scan(std::string_view text, std::uint64_t* matched, Accept accept, const void* context) const {
#if defined(__x86_64__)
    const Candidates candidates{reinterpret_cast<const unsigned char*>(text.data()), matched, accept, context};
    scan_avx2(literals_, text, candidates);
#else
    (void)text, (void)matched, (void)accept, (void)context;
#endif
}

}  // namespace triage::detail
