#include "apps/ctl/tokens.h"

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "apps/ctl/ctl_common.h"
#include "infra/credentials.h"

namespace chatshop::ctl {

std::optional<std::string> ReadToken(const TokenSource& source) {
  std::string token;
  if (source.from_stdin || source.file == "-") {
    std::getline(std::cin, token);
  } else if (!source.file.empty()) {
    std::ifstream in(source.file);
    if (!in) {
      std::cerr << "chatshopctl: cannot read " << source.file << "\n";
      return std::nullopt;
    }
    std::getline(in, token);
  } else if (const char* env = std::getenv("CHATSHOP_SHOP_ACCESS_TOKEN");
             source.from_environment && env != nullptr) {
    token = env;
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) {
    std::cerr << "chatshopctl: no token: give the shop's Graph API token " << source.flags
              << "; it is never taken as an argument, which would leave it in shell history\n";
    return std::nullopt;
  }
  return token;
}

std::optional<std::string> TokenToStore(const std::string& token,
                                        const std::string& phone_number_id, bool allow_plaintext) {
  auto vault = infra::TokenVault::FromEnvironment();
  if (!vault) {
    if (!allow_plaintext) {
      std::cerr << "chatshopctl: refusing to store the token unencrypted: " << vault.error().message
                << "; or pass --allow-plaintext-token to store it in plain text anyway\n";
      return std::nullopt;
    }
    std::cerr
        << "chatshopctl: warning: the token is stored unencrypted (--allow-plaintext-token)\n";
    return token;
  }
  auto sealed = vault->Seal(token, phone_number_id);
  if (!sealed) {
    Fail(sealed.error());
    return std::nullopt;
  }
  return *sealed;
}

void AddPlaintextTokenFlag(CLI::App* command, bool& allow_plaintext) {
  command->add_flag("--allow-plaintext-token", allow_plaintext,
                    "store the token unencrypted when there is no master key (tests only)");
}

}  // namespace chatshop::ctl
