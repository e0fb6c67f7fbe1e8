// `chatshopctl shop …` and `credentials …`: shops, their settings and their Graph API tokens.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "apps/ctl/commands.h"
#include "apps/ctl/ctl_common.h"
#include "apps/ctl/tokens.h"
#include "apps/program.h"
#include "apps/wiring.h"
#include "common/phone.h"
#include "infra/credentials.h"
#include "infra/graph_api_client.h"
#include "infra/pg_shop_directory.h"
#include "orders/money.h"
#include "service/inbound_processor.h"

namespace chatshop::ctl {
namespace {

// A new shop; a number some shop already has is refused (change that one with shop update).
int ShopAdd(const common::Config& config, const std::string& phone_number_id,
            const std::string& name, const TokenSource& source, bool allow_plaintext) {
  infra::PgShopDirectory shops(config.postgres.url);
  if (auto existing = shops.StoredToken(phone_number_id); existing) {
    std::cerr << "chatshopctl: a shop already has phone_number_id " << phone_number_id
              << ": change it with `chatshopctl shop update --shop " << phone_number_id
              << " [--name N] [--token-stdin]`\n";
    return 1;
  } else if (existing.error().code != ErrorCode::kNotFound) {
    return Fail(existing.error());
  }
  auto token = ReadToken(source);
  if (!token) return 1;
  auto stored = TokenToStore(*token, phone_number_id, allow_plaintext);
  if (!stored) return 1;
  auto shop = shops.UpsertShop(phone_number_id, name, *stored);
  if (!shop) return Fail(shop.error());
  std::cout << "shop " << shop->id << " \"" << shop->name << "\" phone_number_id "
            << shop->phone_number_id << " saved\n";
  return 0;
}

// A registered shop's name and/or token (a new token also lifts a hold on its replies).
int ShopUpdate(const common::Config& config, const std::string& phone_number_id,
               const std::string& name, bool token_stdin, bool allow_plaintext) {
  if (name.empty() && !token_stdin) {
    std::cerr << "chatshopctl: nothing to change: give --name and/or --token-stdin\n";
    return 1;
  }
  infra::PgShopDirectory shops(config.postgres.url);
  if (token_stdin) {
    auto token = ReadToken({.from_stdin = true,
                            .file = "",
                            .from_environment = false,
                            .flags = "on stdin (--token-stdin)"});
    if (!token) return 1;
    auto stored = TokenToStore(*token, phone_number_id, allow_plaintext);
    if (!stored) return 1;
    if (auto set = shops.SetToken(phone_number_id, *stored); !set) return Fail(set.error());
  }
  if (!name.empty()) {
    infra::ShopSettingsChange change;
    change.name = name;
    if (auto changed = shops.ChangeSettings(phone_number_id, change); !changed)
      return Fail(changed.error());
  }
  std::cout << "shop " << phone_number_id << " updated" << (token_stdin ? " (new token)" : "")
            << "\n";
  return 0;
}

std::string DeliveryText(const orders::DeliveryRule& rule) {
  if (rule.fee.minor == 0) return "free delivery";
  return "delivery " + rule.fee.ToRupeeText() +
         (rule.free_from ? ", free from " + rule.free_from->ToRupeeText() : "");
}

int ShopList(const common::Config& config, bool as_json) {
  infra::PgShopDirectory shops(apps::PostgresReadUrlOf(config));
  auto list = shops.ListShops();
  if (!list) return Fail(list.error());
  if (as_json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : *list) {
      out.push_back({{"id", s.id},
                     {"phone_number_id", s.phone_number_id},
                     {"name", s.name},
                     {"locale", s.locale},
                     {"created_at", s.created_at}});
    }
    std::cout << out.dump() << "\n";
    return 0;
  }
  for (const auto& s : *list) {
    std::printf("%lld  %-20s  %s  [%s, %s]  (since %s)\n", static_cast<long long>(s.id),
                s.phone_number_id.c_str(), s.name.c_str(), s.locale.c_str(),
                DeliveryText(s.delivery).c_str(), s.created_at.c_str());
  }
  return 0;
}

int ShopShow(const common::Config& config, const std::string& shop, bool as_json) {
  auto shown = infra::PgShopDirectory(apps::PostgresReadUrlOf(config)).ShowShop(shop);
  if (!shown) return Fail(shown.error());
  if (as_json) {
    std::cout << shown->dump() << "\n";
    return 0;
  }
  const auto& s = *shown;
  auto rupees = [](const nlohmann::json& minor) {
    return minor.is_number() ? orders::Money{minor.get<int64_t>()}.ToRupeeText()
                             : std::string("never");
  };
  std::cout << "shop " << s["id"] << " \"" << s["name"].get<std::string>() << "\", phone_number_id "
            << s["phone_number_id"].get<std::string>() << "\n"
            << "  replies in " << s["locale"].get<std::string>() << "; " << s["products"]
            << " products\n"
            << "  delivery " << rupees(s["delivery_fee_minor"]) << ", free from "
            << rupees(s["free_delivery_from_minor"]) << "\n"
            << "  UPI " << (s["upi_vpa"].is_string() ? s["upi_vpa"].get<std::string>() : "none")
            << (s["upi_payee_name"].is_string()
                    ? " (payee " + s["upi_payee_name"].get<std::string>() + ")"
                    : "")
            << ", cash on delivery " << (s["cod_allowed"].get<bool>() ? "yes" : "no") << "\n"
            << "  sends "
            << (s["messages_per_second"].is_number() ? s["messages_per_second"].dump()
                                                     : "the default")
            << " messages/s; holds stock "
            << (s["reservation_minutes"].is_number() ? s["reservation_minutes"].dump() + " minutes"
                                                     : "the default time")
            << " at checkout; currency " << s["currency"].get<std::string>() << "\n"
            << "  number "
            << (s["display_phone_number"].is_string() ? s["display_phone_number"].get<std::string>()
                                                      : "?")
            << ", WABA " << (s["waba_id"].is_string() ? s["waba_id"].get<std::string>() : "?")
            << "\n"
            << "  token " << (s["token_encrypted"].get<bool>() ? "encrypted" : "NOT encrypted")
            << ", "
            << (s["credentials_ok"].get<bool>()
                    ? "not refused"
                    : "REFUSED by Meta: " + s.value("credentials_error", std::string()))
            << "\n";
  if (s["disabled_at"].is_string())
    std::cout << "  DISABLED since " << s["disabled_at"].get<std::string>() << "\n";
  for (const auto& owner : s["owners"]) {
    std::cout << "  owner +" << owner["phone"].get<std::string>() << " "
              << owner["name"].get<std::string>() << " (" << owner["locale"].get<std::string>()
              << ")\n";
  }
  for (const auto& [kind, name] : s["notice_templates"].items()) {
    std::cout << "  notice " << kind << ": template " << name.get<std::string>() << "\n";
  }
  return 0;
}

// Switches a shop off (its customers' messages are parked, unanswered) or on again.
int ShopSetDisabled(const common::Config& config, const std::string& shop, bool off) {
  if (auto set = infra::PgShopDirectory(config.postgres.url).SetDisabled(shop, off); !set) {
    return Fail(set.error());
  }
  std::cout << "shop " << shop
            << (off ? " is disabled: messages to it are parked, unanswered (gateways "
                      "see it within their reload interval)\n"
                    : " is enabled again\n");
  return 0;
}

// Options of `shop set`, as typed.
struct ShopSetOptions {
  std::string name, locale, delivery_fee, free_delivery_from, upi_vpa, cod, messages_per_second;
  std::string reservation_minutes, display_number, waba_id, currency, payee_name;
};

// A UPI virtual payment address: handle@bank, letters, digits, '.', '-' and '_' (NPCI).
bool IsVpa(const std::string& vpa) {
  const auto at = vpa.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == vpa.size() || vpa.size() > 100 ||
      vpa.find('@', at + 1) != std::string::npos) {
    return false;
  }
  return std::all_of(vpa.begin(), vpa.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '@';
  });
}

// A `shop set` value that is a whole number in [lo, hi] or "default" (the inner nullopt);
// nullopt (left as it is) when not given. Anything else adds `problem` to `problems`.
std::optional<std::optional<int>> NumberOrDefault(const std::string& text, long lo, long hi,
                                                  const char* problem,
                                                  std::vector<std::string>& problems) {
  if (text.empty()) return std::nullopt;
  if (text == "default") return std::optional<int>();
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (*end != '\0' || value < lo || value > hi) {
    problems.push_back(problem);
    return std::nullopt;
  }
  return std::optional<int>(static_cast<int>(value));
}

// The delivery and payment settings of `shop set`: fees, UPI and cash on delivery.
void PaymentChange(const ShopSetOptions& options, infra::ShopSettingsChange& change,
                   std::vector<std::string>& problems) {
  if (!options.delivery_fee.empty()) {
    orders::Money fee;
    if (!orders::ParseRupees(options.delivery_fee, fee)) {
      problems.push_back("--delivery-fee: not an amount in rupees like 30 or 30.00");
    }
    change.delivery_fee = fee;
  }
  if (options.free_delivery_from == "none") {
    change.free_delivery_from = std::optional<orders::Money>();
  } else if (!options.free_delivery_from.empty()) {
    orders::Money from;
    if (!orders::ParseRupees(options.free_delivery_from, from)) {
      problems.push_back("--free-delivery-from: not an amount in rupees like 500, or none");
    }
    change.free_delivery_from = from;
  }
  if (options.upi_vpa == "none") {
    change.upi_vpa = std::optional<std::string>();
  } else if (!options.upi_vpa.empty()) {
    if (!IsVpa(options.upi_vpa))
      problems.push_back("--upi-vpa: not a UPI address like shop@okaxis");
    change.upi_vpa = options.upi_vpa;
  }
  if (options.cod == "yes" || options.cod == "no") {
    change.cod_allowed = options.cod == "yes";
  } else if (!options.cod.empty()) {
    problems.push_back("--cod: yes or no");
  }
}

// The identity settings of `shop set`: its numbers at Meta, payee name and currency.
void IdentityChange(const ShopSetOptions& options, infra::ShopSettingsChange& change,
                    std::vector<std::string>& problems) {
  if (!options.display_number.empty()) {
    if (!common::E164Digits(options.display_number)) {
      problems.push_back(
          "--display-number: the shop's WhatsApp number with country code, like +91 98123 45678");
    }
    change.display_phone_number = options.display_number;
  }
  if (!options.waba_id.empty()) {
    if (options.waba_id.find_first_not_of("0123456789") != std::string::npos ||
        options.waba_id.size() > 32) {
      problems.push_back("--waba-id: Meta's WhatsApp Business Account id (digits)");
    }
    change.waba_id = options.waba_id;
  }
  if (!options.payee_name.empty()) {
    if (options.payee_name.size() > 99) problems.push_back("--payee-name: at most 99 characters");
    change.upi_payee_name = options.payee_name;
  }
  if (!options.currency.empty() && options.currency != "INR") {
    problems.push_back("--currency: only INR for now (bills are in rupees)");
  }
}

int ShopSet(const common::Config& config, const std::string& phone_number_id,
            const ShopSetOptions& options) {
  infra::ShopSettingsChange change;
  std::vector<std::string> problems;
  if (!options.name.empty()) change.name = options.name;
  if (!options.locale.empty()) {
    const auto templates =
        apps::LoadTemplatesOrExit(config, service::WorkerTemplateNames(), "chatshopctl");
    if (!templates.HasLocale(options.locale)) {
      std::string known;
      for (const auto& l : templates.Locales()) known += " " + l;
      problems.push_back("--locale: no templates for \"" + options.locale + "\" (have:" + known +
                         ")");
    }
    change.locale = options.locale;
  }
  PaymentChange(options, change, problems);
  change.messages_per_second = NumberOrDefault(
      options.messages_per_second, 1, 10000,
      "--messages-per-second: a number from 1 to 10000 (Meta's tier: 80 or 1000), or default",
      problems);
  change.reservation_minutes = NumberOrDefault(
      options.reservation_minutes, 1, 10080,
      "--reservation-minutes: minutes from 1 to 10080 (a week), or default", problems);
  IdentityChange(options, change, problems);
  for (const auto& p : problems) std::cerr << "chatshopctl: " << p << "\n";
  if (!problems.empty()) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  auto shop = shops.ChangeSettings(phone_number_id, change);
  if (!shop) return Fail(shop.error());
  std::cout << "shop " << shop->id << " \"" << shop->name << "\": replies in " << shop->locale
            << ", " << DeliveryText(shop->delivery) << ", "
            << (shop->payment.upi_vpa.empty() ? "no UPI" : "UPI " + shop->payment.upi_vpa)
            << (shop->payment.cod_allowed ? ", cash on delivery" : "") << "\n";
  return 0;
}

// Stores the shop's new token as tokens.h says (sealed, or plain only when asked); a hold on the
// shop (a token Meta refused) ends, so its waiting replies go out.
int CredentialsSet(const common::Config& config, const std::string& shop, const std::string& file,
                   bool allow_plaintext) {
  auto token = ReadToken({.from_stdin = file.empty(),
                          .file = file,
                          .from_environment = false,
                          .flags = "on stdin or in --file"});
  if (!token) return 1;
  auto stored = TokenToStore(*token, shop, allow_plaintext);
  if (!stored) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  auto changed = shops.SetToken(shop, *stored);
  if (!changed) return Fail(changed.error());
  std::cout << "shop " << shop << ": token stored"
            << (infra::IsSealed(*stored) ? " encrypted (AES-256-GCM)" : " unencrypted")
            << "; check it with "
               "`chatshopctl credentials check --shop "
            << shop << "`\n";
  return 0;
}

// Asks the Graph API about the shop's number with its token.
int CredentialsCheck(const common::Config& config, const std::string& shop) {
  infra::PgShopDirectory shops(config.postgres.url);
  auto stored = shops.StoredToken(shop);
  if (!stored) return Fail(stored.error());
  auto token = infra::RevealToken(*stored, shop);
  if (!token) return Fail(token.error());
  infra::GraphApiClient graph(apps::GraphApiSettingsOf(config));
  auto number = graph.GetPhoneNumber(shop, *token);
  if (!number) {
    if (number.error().code == ErrorCode::kUnauthenticated) {
      std::cerr << "chatshopctl: Meta refused the token (" << number.error().message
                << "): set a new one with `chatshopctl credentials set`\n";
      return 1;
    }
    return Fail(number.error());
  }
  std::cout << "shop " << shop << ": the token works for "
            << number->value("display_phone_number", "?") << " ("
            << number->value("verified_name", "?") << ")\n";
  return 0;
}

// `shop add` and `shop update`.
void AddShopRegistration(CLI::App& shop, CommandTable& table) {
  struct Options {
    std::string phone_number_id, name, token_on_argv;
    bool token_stdin = false, allow_plaintext = false;
  };
  auto add_options = std::make_shared<Options>();
  auto* add =
      shop.add_subcommand("add", "register a shop (a number already registered is refused)");
  add->add_option("--phone-number-id", add_options->phone_number_id,
                  "Meta's id of the shop's number")
      ->required();
  add->add_option("--name", add_options->name, "shop name shown to customers")->required();
  add->add_flag("--token-stdin", add_options->token_stdin, "read the Graph API token from stdin");
  add->add_option("--token", add_options->token_on_argv,
                  "refused: a token in argv leaks (use --token-stdin)");
  AddPlaintextTokenFlag(add, add_options->allow_plaintext);
  table.Add(add, [o = add_options](const common::Config& config) {
    if (!o->token_on_argv.empty()) {
      std::cerr << "chatshopctl: not taking the token from the command line, where shell history "
                   "and process lists keep it: pipe it in with --token-stdin\n";
      return 1;
    }
    const TokenSource source{.from_stdin = o->token_stdin,
                             .file = "",
                             .from_environment = true,
                             .flags = "on stdin (--token-stdin) or in CHATSHOP_SHOP_ACCESS_TOKEN"};
    return ShopAdd(config, o->phone_number_id, o->name, source, o->allow_plaintext);
  });

  auto update_options = std::make_shared<Options>();
  auto* update = shop.add_subcommand("update", "change a registered shop's name or token");
  AddShopOption(update, update_options->phone_number_id);
  update->add_option("--name", update_options->name, "shop name shown to customers");
  update->add_flag("--token-stdin", update_options->token_stdin,
                   "read a new Graph API token from stdin");
  AddPlaintextTokenFlag(update, update_options->allow_plaintext);
  table.Add(update, [o = update_options](const common::Config& config) {
    return ShopUpdate(config, o->phone_number_id, o->name, o->token_stdin, o->allow_plaintext);
  });
}

// `shop set`.
void AddShopSettings(CLI::App& shop, CommandTable& table) {
  struct Options {
    std::string phone_number_id;
    ShopSetOptions set;
  };
  auto o = std::make_shared<Options>();
  auto* set = shop.add_subcommand("set", "change a shop's name, language or delivery fee");
  auto& s = o->set;
  AddShopOption(set, o->phone_number_id);
  set->add_option("--name", s.name, "shop name shown to customers");
  set->add_option("--locale", s.locale, "language replies start in (en, hi)");
  set->add_option("--delivery-fee", s.delivery_fee, "rupees per order, like 30");
  set->add_option("--free-delivery-from", s.free_delivery_from,
                  "subtotal in rupees from which delivery is free, or none");
  set->add_option("--upi-vpa", s.upi_vpa, "UPI address customers pay, or none");
  set->add_option("--cod", s.cod, "cash on delivery allowed: yes or no");
  set->add_option("--reservation-minutes", s.reservation_minutes,
                  "how long checkout holds the stock for this shop, or default");
  set->add_option("--display-number", s.display_number, "the number as customers see it");
  set->add_option("--waba-id", s.waba_id, "Meta's WhatsApp Business Account id");
  set->add_option("--currency", s.currency, "INR (the only one for now)");
  set->add_option("--payee-name", s.payee_name,
                  "the name UPI apps show the payer (default: the shop's name)");
  set->add_option("--messages-per-second", s.messages_per_second,
                  "the shop number's Graph API throughput when Meta raised it, or default");
  table.Add(set, [o](const common::Config& config) {
    return ShopSet(config, o->phone_number_id, o->set);
  });
}

// `shop list`, `shop show`, `shop disable` and `shop enable`.
void AddShopViews(CLI::App& shop, CommandTable& table) {
  struct Options {
    std::string phone_number_id;
    bool json = false;
  };
  auto list_options = std::make_shared<Options>();
  auto* list = shop.add_subcommand("list", "list shops");
  list->add_flag("--json", list_options->json, "JSON for scripts");
  table.Add(list,
            [o = list_options](const common::Config& config) { return ShopList(config, o->json); });
  auto show_options = std::make_shared<Options>();
  auto* show = shop.add_subcommand("show", "one shop's settings, owners and credential state");
  AddShopOption(show, show_options->phone_number_id);
  show->add_flag("--json", show_options->json, "JSON for scripts");
  table.Add(show, [o = show_options](const common::Config& config) {
    return ShopShow(config, o->phone_number_id, o->json);
  });
  for (const bool off : {true, false}) {
    auto options = std::make_shared<Options>();
    auto* command =
        off ? shop.add_subcommand(
                  "disable", "switch a shop off: its customers' messages are parked, unanswered")
            : shop.add_subcommand("enable", "switch a disabled shop on again");
    AddShopOption(command, options->phone_number_id);
    table.Add(command, [o = options, off](const common::Config& config) {
      return ShopSetDisabled(config, o->phone_number_id, off);
    });
  }
}

// `credentials set` and `credentials check`.
void AddCredentials(CLI::App& cli, CommandTable& table) {
  struct Options {
    std::string phone_number_id, file;
    bool allow_plaintext = false;
  };
  auto* credentials = cli.add_subcommand("credentials", "a shop's Graph API token");
  credentials->require_subcommand(1);
  auto set_options = std::make_shared<Options>();
  auto* set = credentials->add_subcommand(
      "set", "store a new token, encrypted (read from stdin or --file, never an argument)");
  AddShopOption(set, set_options->phone_number_id);
  set->add_option("--file", set_options->file, "a file whose first line is the token");
  AddPlaintextTokenFlag(set, set_options->allow_plaintext);
  table.Add(set, [o = set_options](const common::Config& config) {
    return CredentialsSet(config, o->phone_number_id, o->file, o->allow_plaintext);
  });
  auto check_options = std::make_shared<Options>();
  auto* check = credentials->add_subcommand("check", "ask the Graph API whether the token works");
  AddShopOption(check, check_options->phone_number_id);
  table.Add(check, [o = check_options](const common::Config& config) {
    return CredentialsCheck(config, o->phone_number_id);
  });
}

}  // namespace

void AddShopCommands(CLI::App& cli, CommandTable& table) {
  auto* shop = cli.add_subcommand("shop", "shops and their WhatsApp numbers");
  shop->require_subcommand(1);
  AddShopRegistration(*shop, table);
  AddShopViews(*shop, table);
  AddShopSettings(*shop, table);
  AddCredentials(cli, table);
}

}  // namespace chatshop::ctl
