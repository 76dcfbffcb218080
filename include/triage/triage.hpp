// triage: social-media response flowcharts, compiled once and evaluated many times.
#pragma once

#include "triage/compile.hpp"
#include "triage/decision.hpp"
#include "triage/evaluator.hpp"
#include "triage/diagnostic.hpp"
#include "triage/flow.hpp"
#include "triage/format.hpp"
#include "triage/graph.hpp"
#include "triage/json.hpp"
#include "triage/monitor.hpp"
#include "triage/record.hpp"
#include "triage/render.hpp"
#include "triage/source.hpp"
#include "triage/testing.hpp"
#include "triage/value.hpp"
