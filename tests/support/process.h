#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace chatshop::testing {

// A program started by a test, stopped (SIGTERM, then SIGKILL after 10 s) when destroyed.
class ChildProcess {
 public:
  // Starts `argv` with stdout and stderr appended to `log_path`.
  ChildProcess(std::vector<std::string> argv, const std::string& log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Stops the process and returns its exit status (-1 if it had to be killed).
  int Stop();
  // Kills the process at once (SIGKILL), as a crash or power loss would end it.
  void Kill();
  bool running();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int exit_status_ = -1;
};

// Runs a program to completion, feeding `input` on stdin; returns its exit status and output.
struct RunResult {
  int status = -1;
  std::string output;  // stdout and stderr together
};
RunResult RunProgram(const std::vector<std::string>& argv, const std::string& input = "");

// A free TCP port on 127.0.0.1 (asked of the kernel, so parallel tests do not collide).
int FreePort();

}  // namespace chatshop::testing
