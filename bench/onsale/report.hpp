// The simulator's report: what the issue asks an on-sale to be judged by, then a RESULT line
// for scripts (key=value pairs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "checker.hpp"
#include "crowd.hpp"
#include "stats.hpp"

namespace onsale {

struct NodeMemory {
  std::string name;
  std::string pid_file;
  std::uint64_t peak_kib = 0;   // the largest VmHWM of any process the file named
  std::uint32_t processes = 0;  // distinct pids seen (a restarted node has two)
  std::int64_t last_pid = 0;
};

// Reads each node's pid file and its VmHWM, keeping the largest: call it now and then, so a
// node killed mid-sale keeps its figure.
void sample_memory(std::vector<NodeMemory>& nodes);

struct Fairness {
  std::uint64_t admitted = 0;    // fans admitted who joined after the open
  std::uint64_t violations = 0;  // of those, admitted while someone who joined earlier waited
};
Fairness fairness_of(const std::vector<Fan>& fans);

// Prints the report; answers whether every anomaly is 0 and the event sold out.
bool print_report(const Sale& sale, const Options& options, Recorder& recorder,
                  const std::vector<Fan>& fans, const std::vector<Bot>& bots,
                  const Checked& checked, const std::vector<NodeMemory>& nodes, double run_seconds);

}  // namespace onsale
