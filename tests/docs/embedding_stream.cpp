// The context of docs/embedding.md's examples that continue a `Stream` example: its options,
// its stream and where the host writes.
#include <triage/triage.hpp>

#include <iostream>
#include <string>
#include <thread>
#include <vector>

void example(const triage::Flow& flow, const std::vector<std::string>& lines, std::ostream& out) {
    triage::StreamOptions options;
    triage::Stream stream(flow, options);
    {
        // @block@
    }
}
