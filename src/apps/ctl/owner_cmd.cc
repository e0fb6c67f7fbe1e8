// `chatshopctl owner …`: the WhatsApp numbers that run a shop.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/ctl/commands.h"
#include "apps/ctl/ctl_common.h"
#include "apps/program.h"
#include "apps/wiring.h"
#include "common/phone.h"
#include "infra/pg_shop_directory.h"
#include "service/inbound_processor.h"

namespace chatshop::ctl {
namespace {

// Owner numbers are digits with the country code, as WhatsApp's wa_id.
int OwnerAdd(const common::Config& config, const std::string& phone_number_id,
             bot::ShopOwner owner) {
  auto digits = common::E164Digits(owner.phone);
  if (!digits) {
    std::cerr << "chatshopctl: --phone: the owner's WhatsApp number with country code, like "
                 "919812345678\n";
    return 1;
  }
  owner.phone = *digits;
  const auto templates =
      apps::LoadTemplatesOrExit(config, service::WorkerTemplateNames(), "chatshopctl");
  if (!templates.HasLocale(owner.locale)) {
    std::cerr << "chatshopctl: --locale: no templates for \"" << owner.locale << "\"\n";
    return 1;
  }
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  if (auto added = shops.AddOwner(*shop_id, owner); !added) return Fail(added.error());
  std::cout << "owner +" << owner.phone << " can now run shop " << *shop_id << "\n";
  return 0;
}

int OwnerRemove(const common::Config& config, const std::string& phone_number_id,
                std::string phone) {
  if (auto digits = common::E164Digits(phone)) phone = *digits;
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  auto removed = shops.RemoveOwner(*shop_id, phone);
  if (!removed) return Fail(removed.error());
  std::cout << (*removed ? "removed owner +" : "+") << phone
            << (*removed ? "" : " was not an owner") << "\n";
  return 0;
}

int OwnerList(const common::Config& config, const std::string& phone_number_id, bool as_json) {
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  infra::PgShopDirectory shops(apps::PostgresReadUrlOf(config));
  auto owners = shops.ListOwners(*shop_id);
  if (!owners) return Fail(owners.error());
  if (as_json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& o : *owners)
      out.push_back({{"phone", o.phone}, {"name", o.name}, {"locale", o.locale}});
    std::cout << out.dump() << "\n";
    return 0;
  }
  if (owners->empty()) std::cout << "no owners: payment proofs have nobody to go to\n";
  for (const auto& o : *owners)
    std::cout << "+" << o.phone << "  " << o.locale << "  " << o.name << "\n";
  return 0;
}

}  // namespace

void AddOwnerCommands(CLI::App& cli, CommandTable& table) {
  struct Options {
    std::string phone_number_id;
    bot::ShopOwner owner{"", "", "en"};
    bool json = false;
  };
  auto* owner = cli.add_subcommand("owner", "WhatsApp numbers that run a shop");
  owner->require_subcommand(1);
  auto add_options = std::make_shared<Options>();
  auto* add = owner->add_subcommand("add", "let a number approve payments and move orders");
  AddShopOption(add, add_options->phone_number_id);
  add->add_option("--phone", add_options->owner.phone, "the owner's WhatsApp number")->required();
  add->add_option("--name", add_options->owner.name, "name, for the admin");
  add->add_option("--locale", add_options->owner.locale, "language of the owner's messages");
  table.Add(add, [o = add_options](const common::Config& config) {
    return OwnerAdd(config, o->phone_number_id, o->owner);
  });
  auto remove_options = std::make_shared<Options>();
  auto* remove = owner->add_subcommand("remove", "take a number's owner rights away");
  AddShopOption(remove, remove_options->phone_number_id);
  remove->add_option("--phone", remove_options->owner.phone, "the owner's WhatsApp number")
      ->required();
  table.Add(remove, [o = remove_options](const common::Config& config) {
    return OwnerRemove(config, o->phone_number_id, o->owner.phone);
  });
  auto list_options = std::make_shared<Options>();
  auto* list = owner->add_subcommand("list", "the shop's owner numbers");
  list->add_flag("--json", list_options->json, "JSON for scripts");
  AddShopOption(list, list_options->phone_number_id);
  table.Add(list, [o = list_options](const common::Config& config) {
    return OwnerList(config, o->phone_number_id, o->json);
  });
}

}  // namespace chatshop::ctl
