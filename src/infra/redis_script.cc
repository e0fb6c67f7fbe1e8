#include "infra/redis_script.h"

#include <hiredis/hiredis.h>

#include <memory>

namespace chatshop::infra {

RedisScript::RedisScript(RedisTarget target, std::string script, std::string what)
    : target_(std::move(target)), script_(std::move(script)), what_(std::move(what)) {}

RedisScript::~RedisScript() {
  if (context_ != nullptr) redisFree(context_);
}

Result<long long> RedisScript::Run(const std::vector<std::string>& keys,
                                   const std::vector<std::string>& args) {
  if (context_ != nullptr && context_->err != 0) {
    redisFree(context_);
    context_ = nullptr;
  }
  if (context_ == nullptr) {
    auto opened = OpenRedis(target_);
    if (!opened) return tl::unexpected(opened.error());
    context_ = *opened;
  }
  const std::string key_count = std::to_string(keys.size());
  std::vector<const char*> argv = {"EVAL", script_.c_str(), key_count.c_str()};
  for (const auto& k : keys) argv.push_back(k.c_str());
  for (const auto& a : args) argv.push_back(a.c_str());
  RedisReply reply(static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), nullptr)));
  if (IsReadOnlyReply(reply.get())) {
    redisFree(context_);
    context_ = nullptr;
  }
  if (!reply || reply->type != REDIS_REPLY_INTEGER) {
    return MakeError(ErrorCode::kUnavailable, what_ + " failed");
  }
  return reply->integer;
}

}  // namespace chatshop::infra
