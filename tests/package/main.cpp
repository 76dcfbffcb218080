// Compiles and links against an installed triage: the packaging works.
#include <triage/triage.hpp>
#include <cstdio>
int main() {
    auto r = triage::compile("flow \"x\" version 1\nstart o\noutcome o \"O\" { monitor }\n");
    std::printf("%s\n", r.ok() ? "ok" : "bad");
    return r.ok() ? 0 : 1;
}
