// triage/worker_partition.hpp: partition keys, and the lease and state buckets on nats.c's KV store.
#include "triage/worker_partition.hpp"

#include "triage/worker.hpp"
#include "worker_nats.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <unistd.h>

namespace triage {

namespace {

using worker_nats::problem;
using Entry = std::unique_ptr<kvEntry, worker_nats::EntryDeleter>;
using KeyValue = std::unique_ptr<kvStore, worker_nats::KeyValueDeleter>;

// A state value: a header line with the position and the writer's token, then the snapshot.
// Version 1 (before --reorder) has only "sequence=S token=T"; a position with mentions held
// adds " floor=F decided=D1,D2,..." (an older triage refuses such a value rather than lose the
// held mentions), and one with none is written as version 1 still.
constexpr std::string_view state_header = "triage-partition-state";

std::string encode_state(const PartitionPosition& position, std::uint64_t token, std::string_view monitor) {
    std::string header = fmt::format("{} sequence={} token={}", state_header, position.sequence, token);
    if (position.floor != position.sequence)
        header += fmt::format(" floor={} decided={}", position.floor, fmt::join(position.decided, ","));
    header += '\n';
    return header.append(monitor);
}

bool read_number(std::string_view& text, std::string_view name, std::uint64_t& out) {
    if (!text.starts_with(name)) return false;
    text.remove_prefix(name.size());
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec != std::errc()) return false;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    return true;
}

// " floor=F decided=D1,D2,...": each decided sequence above the floor, ascending, at most `sequence`.
bool read_held(std::string_view& text, PartitionPosition& position) {
    if (!read_number(text, " floor=", position.floor) || position.floor >= position.sequence ||
        !text.starts_with(" decided="))
        return false;
    text.remove_prefix(std::string_view(" decided=").size());
    std::uint64_t last = position.floor;
    for (bool first = true; !text.empty(); first = false) {
        std::uint64_t decided = 0;
        if (!read_number(text, first ? "" : ",", decided) || decided <= last || decided > position.sequence)
            return false;
        position.decided.push_back(last = decided);
    }
    return true;
}

std::optional<PartitionState> decode_state(std::string_view value) {
    PartitionState state;
    const std::size_t newline = value.find('\n');
    if (newline == std::string_view::npos) return std::nullopt;
    std::string_view header = value.substr(0, newline);
    if (!header.starts_with(state_header)) return std::nullopt;
    header.remove_prefix(state_header.size());
    if (!read_number(header, " sequence=", state.sequence) || !read_number(header, " token=", state.token))
        return std::nullopt;
    state.floor = state.sequence;
    if (!header.empty() && !read_held(header, state)) return std::nullopt;
    state.monitor = std::string(value.substr(newline + 1));
    return state;
}

std::string_view entry_value(const Entry& entry) {
    return {static_cast<const char*>(kvEntry_Value(entry.get())), static_cast<std::size_t>(kvEntry_ValueLen(entry.get()))};
}

std::string not_ours(std::uint32_t partition, const std::string& key, const std::string& bucket) {
    return fmt::format("the state of partition {} (key '{}' in bucket '{}') is not one triage wrote", partition, key,
                       bucket);
}

std::string default_holder() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    return fmt::format("{}:{}", host, ::getpid());
}

// Makes the bucket, or binds it when it exists (with another configuration, the server refuses
// to make it again).
std::string open_bucket(jsCtx* js, const std::string& name, std::chrono::milliseconds ttl, KeyValue& out) {
    kvConfig config;
    kvConfig_Init(&config);
    config.Bucket = name.c_str();
    config.History = 1;
    config.StorageType = js_FileStorage;
    config.TTL = std::chrono::duration_cast<std::chrono::nanoseconds>(ttl).count();
    kvStore* raw = nullptr;
    natsStatus s = js_CreateKeyValue(&raw, js, &config);
    if (s != NATS_OK) s = js_KeyValue(&raw, js, name.c_str());
    if (s != NATS_OK) return problem(fmt::format("KV bucket '{}'", name), s);
    out.reset(raw);
    kvStatus* status = nullptr;
    if (kvStore_Status(&status, raw) != NATS_OK) return {};
    const std::int64_t found = kvStatus_TTL(status);
    kvStatus_Destroy(status);
    if (found != config.TTL)
        return fmt::format("KV bucket '{}' keeps values for {} ms, not the {} ms asked for (a bucket's TTL is set "
                           "when it is made: delete it, or ask for its TTL)",
                           name, found / 1'000'000, ttl.count());
    return {};
}

// A failed compare-and-set: refused when the server answered (the revision was not the one
// given), unanswered when it could not be asked. A write whose answer was lost may have been
// stored: the next one, on the old revision, is refused, which errs on the safe side.
KeyWrite failed_write(natsStatus s) {
    switch (s) {
    case NATS_TIMEOUT:
    case NATS_NO_RESPONDERS:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NOT_YET_CONNECTED:
        return KeyWrite::unanswered;
    default:
        return KeyWrite::refused;
    }
}

}  // namespace

std::uint32_t partition_of(std::string_view key, std::uint32_t partitions) {
    std::uint64_t hash = 14695981039346656037ull;
    for (unsigned char c : key) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return partitions == 0 ? 0 : static_cast<std::uint32_t>(hash % partitions);
}

std::string partition_subject(std::string_view subject_in, std::uint32_t partition) {
    return fmt::format("{}.{}", subject_in, partition);
}

std::string partitioning_problem(const Flow& flow, std::string_view field) {
    const std::optional<std::uint32_t> slot = flow.find_field(field);
    if (!slot) return fmt::format("--partition-by {}: the flow has no field '{}'", field, field);
    const Field& f = flow.fields()[*slot];
    if (f.type != FieldType::text && f.type != FieldType::enumeration)
        return fmt::format("--partition-by {}: a partition key is a text or one-of field, and '{}' is {}", field,
                           field, to_string(f.type));
    for (const Crisis& crisis : flow.crises()) {
        if (!crisis.group || flow.fields()[*crisis.group].name == field) continue;
        return fmt::format("--partition-by {}: crisis '{}' is grouped by '{}'; partition by that field, so that "
                           "each group's mentions are decided by one worker",
                           field, crisis.name, flow.fields()[*crisis.group].name);
    }
    return {};
}

struct PartitionStore::Impl {
    PartitionOptions options;
    std::string holder;
    worker_nats::Connection connection;
    worker_nats::JetStream jetstream;
    KeyValue leases, states;

    [[nodiscard]] std::string key(std::uint32_t partition) const {
        return fmt::format("{}.{}", options.deployment, partition);
    }
};

PartitionStore::PartitionStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PartitionStore::~PartitionStore() = default;

std::unique_ptr<PartitionStore> PartitionStore::open(const NatsConnection& nats, const PartitionOptions& options,
                                                     std::string& error) {
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->holder = options.holder.empty() ? default_holder() : options.holder;
    error = worker_nats::connect(nats, impl->connection, impl->jetstream);
    if (error.empty()) error = open_bucket(impl->jetstream.get(), options.lease_bucket, options.lease_time, impl->leases);
    if (error.empty())
        error = open_bucket(impl->jetstream.get(), options.state_bucket, std::chrono::milliseconds(0), impl->states);
    if (!error.empty()) return nullptr;
    return std::unique_ptr<PartitionStore>(new PartitionStore(std::move(impl)));
}

const std::string& PartitionStore::holder() const { return impl_->holder; }

std::optional<Lease> PartitionStore::acquire(std::uint32_t partition, KeyWrite& outcome) {
    const std::string key = impl_->key(partition);
    const std::string& me = impl_->holder;
    const auto sent = std::chrono::steady_clock::now();
    std::uint64_t revision = 0;
    natsStatus s = kvStore_Create(&revision, impl_->leases.get(), key.c_str(), me.data(), static_cast<int>(me.size()));
    if (s != NATS_OK) {
        outcome = failed_write(s);
        if (outcome == KeyWrite::unanswered) return std::nullopt;
        // Held, or released by its last holder (an empty value): take a released one over.
        kvEntry* raw = nullptr;
        s = kvStore_Get(&raw, impl_->leases.get(), key.c_str());
        if (s != NATS_OK) {
            outcome = failed_write(s);  // not found: it expired just now; taken on a later round
            return std::nullopt;
        }
        Entry entry(raw);
        if (kvEntry_ValueLen(entry.get()) != 0) {
            outcome = KeyWrite::refused;
            return std::nullopt;
        }
        s = kvStore_Update(&revision, impl_->leases.get(), key.c_str(), me.data(), static_cast<int>(me.size()),
                           kvEntry_Revision(entry.get()));
        if (s != NATS_OK) {
            outcome = failed_write(s);
            return std::nullopt;
        }
    }
    outcome = KeyWrite::written;
    Lease lease;
    lease.partition = partition;
    lease.token = lease.revision = revision;
    lease.renewed = sent;
    return lease;
}

KeyWrite PartitionStore::renew(Lease& lease) {
    const std::string key = impl_->key(lease.partition);
    const std::string& me = impl_->holder;
    const auto sent = std::chrono::steady_clock::now();
    std::uint64_t revision = 0;
    natsStatus s = kvStore_Update(&revision, impl_->leases.get(), key.c_str(), me.data(), static_cast<int>(me.size()),
                                  lease.revision);
    if (s != NATS_OK) return failed_write(s);
    lease.revision = revision;
    lease.renewed = sent;
    return KeyWrite::written;
}

void PartitionStore::release(Lease& lease) {
    const std::string key = impl_->key(lease.partition);
    std::uint64_t revision = 0;
    // Fails harmlessly when the lease is no longer ours.
    (void)kvStore_Update(&revision, impl_->leases.get(), key.c_str(), "", 0, lease.revision);
}

std::optional<PartitionState> PartitionStore::read(std::uint32_t partition, std::string& error) {
    const std::string key = impl_->key(partition);
    kvEntry* raw = nullptr;
    natsStatus s = kvStore_Get(&raw, impl_->states.get(), key.c_str());
    if (s == NATS_NOT_FOUND) return PartitionState{};
    if (s != NATS_OK) {
        error = problem(fmt::format("reading the state of partition {}", partition), s);
        return std::nullopt;
    }
    Entry entry(raw);
    std::optional<PartitionState> state = decode_state(entry_value(entry));
    if (!state) error = not_ours(partition, key, impl_->options.state_bucket);
    return state;
}

std::optional<PartitionState> PartitionStore::take_over(Lease& lease, KeyWrite& outcome, std::string& error) {
    const std::string key = impl_->key(lease.partition);
    outcome = KeyWrite::refused;
    // A holder that lost its lease may write between our read and our write: read again then.
    for (int attempt = 0; attempt < 5; ++attempt) {
        kvEntry* raw = nullptr;
        natsStatus s = kvStore_Get(&raw, impl_->states.get(), key.c_str());
        Entry entry(raw);
        if (s != NATS_OK && s != NATS_NOT_FOUND) {
            outcome = failed_write(s);
            error = problem(fmt::format("reading the state of partition {}", lease.partition), s);
            return std::nullopt;
        }
        PartitionState state;
        std::uint64_t last = 0;
        if (s == NATS_OK) {
            last = kvEntry_Revision(entry.get());
            std::optional<PartitionState> stored = decode_state(entry_value(entry));
            if (!stored) {
                error = not_ours(lease.partition, key, impl_->options.state_bucket);
                return std::nullopt;
            }
            state = std::move(*stored);
        }
        if (state.token > lease.token) {
            error = fmt::format("partition {}: a newer holder (token {}) wrote its state", lease.partition, state.token);
            return std::nullopt;
        }
        const std::string value = encode_state(state, lease.token, state.monitor);
        std::uint64_t revision = 0;
        s = last == 0 ? kvStore_Create(&revision, impl_->states.get(), key.c_str(), value.data(),
                                       static_cast<int>(value.size()))
                      : kvStore_Update(&revision, impl_->states.get(), key.c_str(), value.data(),
                                       static_cast<int>(value.size()), last);
        if (s == NATS_OK) {
            outcome = KeyWrite::written;
            lease.state_revision = revision;
            return state;
        }
        if (failed_write(s) == KeyWrite::unanswered) {  // trying again would wait out another timeout
            outcome = KeyWrite::unanswered;
            error = problem(fmt::format("writing the state of partition {}", lease.partition), s);
            return std::nullopt;
        }
    }
    error = fmt::format("partition {}: its state kept changing while taking it over", lease.partition);
    return std::nullopt;
}

KeyWrite PartitionStore::write(Lease& lease, const PartitionPosition& position, std::string_view monitor,
                               std::string& error) {
    const std::string key = impl_->key(lease.partition);
    const std::string value = encode_state(position, lease.token, monitor);
    std::uint64_t revision = 0;
    natsStatus s = kvStore_Update(&revision, impl_->states.get(), key.c_str(), value.data(),
                                  static_cast<int>(value.size()), lease.state_revision);
    if (s != NATS_OK) {
        const KeyWrite outcome = failed_write(s);
        error = problem(outcome == KeyWrite::refused
                            ? fmt::format("partition {}: snapshot refused (another holder has written since: fenced)",
                                          lease.partition)
                            : fmt::format("partition {}: snapshot not written (the state bucket did not answer)",
                                          lease.partition),
                        s);
        return outcome;
    }
    lease.state_revision = revision;
    return KeyWrite::written;
}

}  // namespace triage
