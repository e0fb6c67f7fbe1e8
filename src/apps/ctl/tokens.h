#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

// The one policy for a shop's Graph API token, whichever command brings it (`shop add`,
// `shop update`, `credentials set`): it is read from stdin, a file or the environment — never
// from the command line, which shell history and process lists keep —, as its first line without
// trailing spaces; and it is stored sealed under the master key, bound to its shop, or in plain
// text only when the admin asked for that with --allow-plaintext-token.
namespace chatshop::ctl {

// Where a command reads the token from: the first of these that is set.
struct TokenSource {
  bool from_stdin = false;        // --token-stdin, or `credentials set` without --file
  std::string file;               // --file: a file whose first line is the token ("-": stdin)
  bool from_environment = false;  // CHATSHOP_SHOP_ACCESS_TOKEN (`shop add`)
  std::string flags;              // how this command names its sources, for the message
};

// The token; nullopt, with the reason printed, when the source is unreadable or gives none.
std::optional<std::string> ReadToken(const TokenSource& source);

// The value to store for the shop `phone_number_id`: sealed under the master key (bound to
// that shop). Without a key: refused unless `allow_plaintext` (a test deployment), then the
// token itself with a warning. nullopt when refused, with the reason printed.
std::optional<std::string> TokenToStore(const std::string& token,
                                        const std::string& phone_number_id, bool allow_plaintext);

// Adds the --allow-plaintext-token flag to `command`.
void AddPlaintextTokenFlag(CLI::App* command, bool& allow_plaintext);

}  // namespace chatshop::ctl
