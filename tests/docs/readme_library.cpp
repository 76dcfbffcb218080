// The context of README.md's library example: a host's own mention struct and a main().
#include <cstdio>
#include <string>

struct Mention {
    std::string text;
    double sentiment = 0;
};

int main() {
    Mention mention{"the usaf is great", 0.5};
    triage::TimePoint mention_time{};
    // @block@
    return decision.decided() ? 0 : 1;
}
