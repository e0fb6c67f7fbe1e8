#include "common/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace chatshop::common {
namespace {

// Writes the log message JSON-escaped so that a "json" line stays valid whatever the text holds.
class JsonEscapedMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      switch (c) {
        case '"':
          dest.append(std::string_view("\\\""));
          break;
        case '\\':
          dest.append(std::string_view("\\\\"));
          break;
        case '\n':
          dest.append(std::string_view("\\n"));
          break;
        case '\r':
          dest.append(std::string_view("\\r"));
          break;
        case '\t':
          dest.append(std::string_view("\\t"));
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            const char esc[] = {'\\', 'u', '0', '0', kHex[(c >> 4) & 0xf], kHex[c & 0xf]};
            dest.append(esc, esc + sizeof(esc));
          } else {
            dest.push_back(c);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
  }
};

std::mutex& LoggerMutex() {
  static std::mutex mutex;
  return mutex;
}

spdlog::sink_ptr SharedSink() {
  // Logs go to stderr so that programs can print results (chatshopctl) on stdout.
  static spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  return sink;
}

}  // namespace

void SetupLogging(const LogSettings& settings) {
  std::unique_ptr<spdlog::pattern_formatter> formatter;
  if (settings.format == "json") {
    formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","logger":"%n","msg":"%*"})");
  } else {
    formatter = std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%fZ %l %n: %v",
                                                            spdlog::pattern_time_type::utc);
  }
  std::lock_guard lock(LoggerMutex());
  spdlog::set_formatter(std::move(formatter));
  spdlog::set_level(spdlog::level::from_str(settings.level));
  spdlog::flush_on(spdlog::level::info);
}

std::shared_ptr<spdlog::logger> GetLogger(const std::string& name) {
  std::lock_guard lock(LoggerMutex());
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = std::make_shared<spdlog::logger>(name, SharedSink());
  spdlog::initialize_logger(logger);  // takes the global level and formatter
  return logger;
}

std::string MaskPhone(std::string_view phone) {
  if (phone.size() <= 6) return std::string(phone.size(), '*');
  // Four digits kept at each end of a full number; fewer for short ones, so that at least
  // three are always hidden.
  const size_t keep = std::min<size_t>(4, (phone.size() - 3) / 2);
  std::string masked(phone);
  for (size_t i = keep; i + keep < masked.size(); ++i) masked[i] = '*';
  return masked;
}

std::string MaskPhonesIn(std::string_view text) {
  constexpr size_t kShortestPhone = 7;
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      out += text[i++];
      continue;
    }
    size_t end = i;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    const std::string_view digits = text.substr(i, end - i);
    out += digits.size() >= kShortestPhone ? MaskPhone(digits) : std::string(digits);
    i = end;
  }
  return out;
}

}  // namespace chatshop::common
