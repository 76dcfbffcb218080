// triage: social-media response flowcharts, compiled once and evaluated many times.
// Everything but triage/graph.hpp (the flow as a Boost.Graph: link triage::graph for it).
#pragma once

#include "triage/compile.hpp"
#include "triage/decision.hpp"
#include "triage/decision_format.hpp"
#include "triage/diagnostic.hpp"
#include "triage/evaluator.hpp"
#include "triage/flow.hpp"
#include "triage/format.hpp"
#include "triage/json.hpp"
#include "triage/json_writer.hpp"
#include "triage/limits.hpp"
#include "triage/line_reader.hpp"
#include "triage/monitor.hpp"
#include "triage/record.hpp"
#include "triage/render.hpp"
#include "triage/source.hpp"
#include "triage/stream.hpp"
#include "triage/symbols.hpp"
#include "triage/testing.hpp"
#include "triage/value.hpp"
#include "triage/version.hpp"
