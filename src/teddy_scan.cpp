#include "teddy_scan.hpp"

#include "text_fold.hpp"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace triage::detail {

namespace {

bool is_lower_letter(unsigned char b) noexcept { return b >= 'a' && b <= 'z'; }

std::uint64_t load_word(const unsigned char* at) noexcept {
    std::uint64_t w;
    std::memcpy(&w, at, 8);
    return w;
}

// Whether phrase `p` is at `t`, where `left` bytes of text remain: ASCII capitals read as lower
// case where the phrase holds a letter, eight bytes per step (the last step overlapping).
bool equal_folded(const unsigned char* t, std::size_t left, const TeddyScan::Literal& p,
                  const TeddyScan::Phrases& all) noexcept {
    if (p.length > left) return false;
    const auto* bytes = reinterpret_cast<const unsigned char*>(all.bytes.data()) + p.offset;
    const auto* fold = reinterpret_cast<const unsigned char*>(all.fold.data()) + p.offset;
    if (left < 8) {
        for (std::size_t k = 0; k < p.length; ++k)
            if ((t[k] | fold[k]) != bytes[k]) return false;
        return true;
    }
    if (((load_word(t) | p.head_fold) & p.head_mask) != p.head) return false;
    for (std::size_t k = 8; k < p.length; k += 8) {
        const std::size_t at = std::min(k, std::size_t{p.length} - 8);
        if ((load_word(t + at) | load_word(fold + at)) != load_word(bytes + at)) return false;
    }
    return true;
}

// Compares the phrases of the buckets a block's filter named with the text.
struct Verify {
    const TeddyScan::Phrases& phrases;
    const unsigned char* text;
    std::size_t size;
    std::uint64_t* matched;
    TeddyScan::Accept accept;
    const void* context;

    // Bit j of `starts`: byte j of `buckets` names the buckets whose phrases may start at
    // `start` + j. Out of line, so that the block loop keeps its tables in registers.
    [[gnu::noinline]] void block(std::size_t start, std::uint32_t starts, const unsigned char* buckets) const noexcept {
        for (; starts != 0; starts &= starts - 1) {
            const auto j = static_cast<std::size_t>(__builtin_ctz(starts));
            const std::size_t at = start + j;
            for (unsigned b = buckets[j]; b != 0; b &= b - 1) {
                const auto bucket = static_cast<std::size_t>(__builtin_ctz(b));
                for (std::size_t k = phrases.bucket[bucket]; k < phrases.bucket[bucket + 1]; ++k) {
                    const TeddyScan::Literal& p = phrases.literals[k];
                    std::uint64_t& word = matched[p.id / 64];
                    const std::uint64_t bit = std::uint64_t{1} << (p.id % 64);
                    if ((word & bit) != 0 || !equal_folded(text + at, size - at, p, phrases)) continue;
                    if (p.checked && !accept(context, p.id, at + p.length)) continue;
                    word |= bit;
                }
            }
        }
    }
};

#if defined(__x86_64__)

// Blocks of text for a kernel: `count` blocks from `at`, the first at byte `start` of the text;
// in the last, only the starts in `last_starts` (a bit per byte) are looked at.
struct Blocks {
    const unsigned char* at;
    std::size_t count;
    std::size_t start;
    std::uint32_t last_starts;
};

// The kernels, one per instruction set and fingerprint length M: per block, the buckets that may
// have a phrase starting at each byte, the AND of every fingerprint byte's two nibble look-ups
// (each read from the text one byte further on). Written out for each target rather than shared
// through inline helpers: GCC inlines a function of a wider target only into one of that target.
template <std::size_t M>
[[gnu::target("ssse3")]] void blocks_ssse3(const TeddyScan::Tables& tables, const Blocks& b, const Verify& verify) {
    __m128i low[M], high[M];
    for (std::size_t k = 0; k < M; ++k) {
        low[k] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tables.low[k].data()));
        high[k] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tables.high[k].data()));
    }
    const __m128i nibble = _mm_set1_epi8(0x0F);
    alignas(16) unsigned char buckets[16];
    for (std::size_t n = 0; n < b.count; ++n) {
        __m128i found = _mm_set1_epi8(-1);
        for (std::size_t k = 0; k < M; ++k) {
            const __m128i text = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.at + 16 * n + k));
            found = _mm_and_si128(found, _mm_shuffle_epi8(low[k], _mm_and_si128(text, nibble)));
            const __m128i high_nibbles = _mm_and_si128(_mm_srli_epi16(text, 4), nibble);
            found = _mm_and_si128(found, _mm_shuffle_epi8(high[k], high_nibbles));
        }
        const int empty = _mm_movemask_epi8(_mm_cmpeq_epi8(found, _mm_setzero_si128()));
        auto starts = ~static_cast<std::uint32_t>(empty) & 0xFFFF;
        if (n + 1 == b.count) starts &= b.last_starts;
        if (starts == 0) continue;
        _mm_store_si128(reinterpret_cast<__m128i*>(buckets), found);
        verify.block(b.start + 16 * n, starts, buckets);
    }
}

// The same with 32-byte blocks; `pshufb` looks up within each 16-byte lane, so the tables are held twice.
template <std::size_t M>
[[gnu::target("avx2")]] void blocks_avx2(const TeddyScan::Tables& tables, const Blocks& b, const Verify& verify) {
    __m256i low[M], high[M];
    for (std::size_t k = 0; k < M; ++k) {
        low[k] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(tables.low[k].data()));
        high[k] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(tables.high[k].data()));
    }
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    alignas(32) unsigned char buckets[32];
    for (std::size_t n = 0; n < b.count; ++n) {
        __m256i found = _mm256_set1_epi8(-1);
        for (std::size_t k = 0; k < M; ++k) {
            const __m256i text = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.at + 32 * n + k));
            found = _mm256_and_si256(found, _mm256_shuffle_epi8(low[k], _mm256_and_si256(text, nibble)));
            const __m256i high_nibbles = _mm256_and_si256(_mm256_srli_epi16(text, 4), nibble);
            found = _mm256_and_si256(found, _mm256_shuffle_epi8(high[k], high_nibbles));
        }
        const int empty = _mm256_movemask_epi8(_mm256_cmpeq_epi8(found, _mm256_setzero_si256()));
        auto starts = ~static_cast<std::uint32_t>(empty);
        if (n + 1 == b.count) starts &= b.last_starts;
        if (starts == 0) continue;
        _mm256_store_si256(reinterpret_cast<__m256i*>(buckets), found);
        verify.block(b.start + 32 * n, starts, buckets);
    }
}

template <std::size_t M>
void run_blocks(TeddyScan::Kernel kernel, const TeddyScan::Tables& tables, const Blocks& b, const Verify& verify) {
    if (kernel == TeddyScan::Kernel::avx2) return blocks_avx2<M>(tables, b, verify);
    blocks_ssse3<M>(tables, b, verify);
}

// The blocks that can be read in place (a block and the fingerprint's reach past it inside the
// text), then the last starts from a copy with zeros after it: positions past the end are
// masked off, and a phrase that would run past the end fails its comparison.
template <std::size_t M>
void scan_text(TeddyScan::Kernel kernel, const TeddyScan::Tables& tables, const Verify& verify) {
    const std::size_t width = kernel == TeddyScan::Kernel::avx2 ? 32 : 16;
    const std::size_t n = verify.size;
    const std::size_t in_place = n >= M - 1 ? (n - (M - 1)) / width : 0;
    if (in_place != 0) run_blocks<M>(kernel, tables, {verify.text, in_place, 0, ~std::uint32_t{0}}, verify);
    const std::size_t done = in_place * width;
    if (done == n) return;
    unsigned char tail[3 * 32] = {};  // fewer than a block and M - 1 bytes are left
    std::memcpy(tail, verify.text + done, n - done);
    const std::size_t count = (n - done + width - 1) / width;
    const std::size_t last = n - done - (count - 1) * width;
    const std::uint32_t last_starts = last == 32 ? ~std::uint32_t{0} : (std::uint32_t{1} << last) - 1;
    run_blocks<M>(kernel, tables, {tail, count, done, last_starts}, verify);
}

#endif

}  // namespace

bool TeddyScan::runs(Kernel kernel) noexcept {
#if defined(__x86_64__)
    switch (kernel) {
    case Kernel::ssse3: return __builtin_cpu_supports("ssse3");
    case Kernel::avx2: return __builtin_cpu_supports("avx2");
    case Kernel::none: return false;
    }
#endif
    (void)kernel;
    return false;
}

TeddyScan::Kernel TeddyScan::best_kernel() noexcept {
    if (runs(Kernel::avx2)) return Kernel::avx2;
    return runs(Kernel::ssse3) ? Kernel::ssse3 : Kernel::none;
}

bool TeddyScan::suits(const std::vector<std::string>& phrases) noexcept {
    return phrases.size() <= max_phrases && std::all_of(phrases.begin(), phrases.end(), [](const std::string& p) {
               return p.size() <= max_length && std::none_of(p.begin(), p.end(), [](char c) {
                   const auto b = static_cast<unsigned char>(c);
                   return is_space_byte(b) || (b >= 'A' && b <= 'Z');
               });
           });
}

std::size_t TeddyScan::fingerprint_length(const std::vector<std::string>& phrases) noexcept {
    std::size_t length = 0;
    for (const std::string& p : phrases)
        if (!p.empty()) length = length == 0 ? std::min<std::size_t>(p.size(), 3) : std::min(length, p.size());
    return length;
}

void TeddyScan::build(const std::vector<std::string>& phrases, const std::vector<bool>& checked, Kernel kernel) {
    kernel_ = kernel;
    tables_ = {};
    phrases_ = {};
    const std::size_t m = fingerprint_length(phrases);
    tables_.length = m;
    // Phrases in the order of their fingerprints; the g-th of G distinct fingerprints goes to
    // bucket g·8/G, so that phrases alike in their first bytes share a bucket (fewer nibbles set
    // per bucket, fewer blocks with a candidate) and a fingerprint is in one bucket only.
    std::vector<std::uint32_t> ids;
    for (std::uint32_t id = 0; id < phrases.size(); ++id)
        if (!phrases[id].empty()) ids.push_back(id);
    auto fingerprint = [&](std::uint32_t id) { return std::string_view(phrases[id]).substr(0, m); };
    std::stable_sort(ids.begin(), ids.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return fingerprint(a) < fingerprint(b); });
    std::size_t groups = 0;
    for (std::size_t k = 0; k < ids.size(); ++k) groups += k == 0 || fingerprint(ids[k]) != fingerprint(ids[k - 1]);
    std::size_t group = 0;
    for (std::size_t k = 0; k < ids.size(); ++k) {
        if (k > 0 && fingerprint(ids[k]) != fingerprint(ids[k - 1])) ++group;
        const std::size_t bucket = group * buckets / groups;
        const std::string& phrase = phrases[ids[k]];
        Literal p;
        p.id = ids[k];
        p.length = static_cast<std::uint32_t>(phrase.size());
        p.offset = static_cast<std::uint32_t>(phrases_.bytes.size());
        p.checked = checked[ids[k]];
        for (std::size_t j = 0; j < phrase.size(); ++j) {
            const auto b = static_cast<unsigned char>(phrase[j]);
            const unsigned char fold = is_lower_letter(b) ? 0x20 : 0;
            phrases_.bytes.push_back(static_cast<char>(b));
            phrases_.fold.push_back(static_cast<char>(fold));
            if (j < 8) {
                p.head |= std::uint64_t{b} << (8 * j);
                p.head_fold |= std::uint64_t{fold} << (8 * j);
                p.head_mask |= std::uint64_t{0xFF} << (8 * j);
            }
            if (j >= m) continue;
            const auto bit = static_cast<unsigned char>(1u << bucket);
            for (std::size_t lane : {0, 16}) {
                tables_.low[j][lane + (b & 0x0F)] |= bit;
                tables_.high[j][lane + (b >> 4)] |= bit;
                if (fold != 0) tables_.high[j][lane + ((b ^ 0x20) >> 4)] |= bit;  // the capital
            }
        }
        phrases_.literals.push_back(p);
        phrases_.bucket[bucket + 1] = static_cast<std::uint16_t>(phrases_.literals.size());
    }
    for (std::size_t b = 1; b <= buckets; ++b)  // an empty bucket ends where the one before does
        phrases_.bucket[b] = std::max(phrases_.bucket[b], phrases_.bucket[b - 1]);
}

void TeddyScan::scan(std::string_view text, std::uint64_t* matched, Accept accept, const void* context) const {
#if defined(__x86_64__)
    if (tables_.length == 0) return;  // no phrase can be found
    const Verify verify{phrases_, reinterpret_cast<const unsigned char*>(text.data()), text.size(), matched, accept,
                        context};
    switch (tables_.length) {
    case 1: return scan_text<1>(kernel_, tables_, verify);
    case 2: return scan_text<2>(kernel_, tables_, verify);
    default: return scan_text<3>(kernel_, tables_, verify);
    }
#endif
    (void)text, (void)matched, (void)accept, (void)context;
}

}  // namespace triage::detail
