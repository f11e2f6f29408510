// A real spectacles-node process for cluster tests: started with arguments,
// its first stdout line ({"node":..,"cluster":"host:port","pid":..}) read to
// learn its address, stopped with any signal. stderr goes to a log file that
// the test prints on failure.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace spectacles::test {

class node_process {
public:
  /// Starts `bin` (default: spectacles-node) with `args`; a bot binary built
  /// on nodes::bot prints the same first line.
  node_process(std::string name, std::vector<std::string> args,
               std::string bin = SPECTACLES_NODE_BIN)
      : name_(std::move(name)) {
    log_file_ = "/tmp/spectacles-test-" + name_ + "-" + std::to_string(::getpid()) + ".log";
    int out[2];
    if (::pipe(out) != 0)
      return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      auto fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0)
        ::dup2(fd, 2);
      ::close(out[0]);
      std::vector<char*> argv;
      argv.push_back(bin.data());
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(bin.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    stdout_ = ::fdopen(out[0], "r");
    char line[512];
    if (stdout_ && std::fgets(line, sizeof(line), stdout_)) {
      std::string text = line;
      first_line_ = text;
      auto key = std::string("\"cluster\":\"");
      auto pos = text.find(key);
      if (pos != std::string::npos) {
        auto end = text.find('"', pos + key.size());
        address_ = text.substr(pos + key.size(), end - pos - key.size());
      }
    }
  }

  node_process(const node_process&) = delete;
  node_process& operator=(const node_process&) = delete;

  ~node_process() {
    if (running())
      signal(SIGKILL);
    wait();
    if (stdout_)
      std::fclose(stdout_);
    std::remove(log_file_.c_str());
  }

  bool started() const {
    return pid_ > 0 && !address_.empty();
  }
  const std::string& address() const {
    return address_;
  }
  uint16_t port() const {
    return static_cast<uint16_t>(std::stoi(address_.substr(address_.rfind(':') + 1)));
  }
  pid_t pid() const {
    return pid_;
  }
  bool running() const {
    return pid_ > 0 && !exited_;
  }

  void signal(int sig) {
    if (running())
      ::kill(pid_, sig);
  }

  /// Waits for the process to end; returns its exit status (-1 if killed).
  int wait() {
    if (pid_ <= 0 || exited_)
      return status_;
    int st = 0;
    ::waitpid(pid_, &st, 0);
    exited_ = true;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return status_;
  }

  /// Its standard output from the first line on, read until the process
  /// closes it (normally: until it exits).
  std::string read_stdout() {
    std::string out = first_line_;
    char buf[4096];
    size_t n = 0;
    while (stdout_ && (n = std::fread(buf, 1, sizeof(buf), stdout_)) > 0)
      out.append(buf, n);
    return out;
  }

  std::string log() const {
    std::ifstream in{ log_file_ };
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

private:
  std::string name_;
  std::string log_file_;
  std::string address_;
  std::string first_line_;
  pid_t pid_ = -1;
  FILE* stdout_ = nullptr;
  bool exited_ = false;
  int status_ = -1;
};

/// Polls `pred` every 20 ms until it holds or `timeout` passes.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

} // namespace spectacles::test
