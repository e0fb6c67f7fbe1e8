// `chatshopctl template …` and `notice-template …`: a shop's own wording, and the approved
// templates its order notices use outside the 24-hour window.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "apps/ctl/commands.h"
#include "apps/ctl/ctl_common.h"
#include "apps/program.h"
#include "infra/pg_shop_directory.h"
#include "service/inbound_processor.h"

namespace chatshop::ctl {
namespace {

// The approved WhatsApp template a kind of order notice falls back to outside the 24-hour window.
int NoticeTemplateSet(const common::Config& config, const std::string& phone_number_id,
                      const std::string& kind, const bot::NoticeTemplate& t) {
  if (std::find_if(std::begin(bot::kNoticeKinds), std::end(bot::kNoticeKinds),
                   [&](const char* k) { return kind == k; }) == std::end(bot::kNoticeKinds)) {
    std::cerr << "chatshopctl: unknown notice kind \"" << kind << "\"; one of:";
    for (const char* k : bot::kNoticeKinds) std::cerr << " " << k;
    std::cerr << "\n";
    return 1;
  }
  if (t.name.empty() || t.language.empty()) {
    std::cerr << "chatshopctl: give the template's name and --language as approved by Meta\n";
    return 1;
  }
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  if (auto set = shops.SetNoticeTemplate(*shop_id, kind, t); !set) return Fail(set.error());
  std::cout << kind << " notices outside the 24-hour window use template " << t.name << " ("
            << t.language << "): {{1}} order number, {{2}} detail\n";
  return 0;
}

int ListShopTemplates(const common::Config& config, const std::string& phone_number_id) {
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  auto list = shops.ListTemplates(*shop_id);
  if (!list) return Fail(list.error());
  if (list->empty()) std::cout << "the shop uses the shipped wording of every template\n";
  for (const auto& t : *list) {
    std::cout << t.locale << "/" << t.name << "  (set " << t.updated_at << ")\n";
  }
  return 0;
}

// Checks the template against the shipped set (known locale and name, compiles) and stores it.
int SetShopTemplate(const common::Config& config, const std::string& phone_number_id,
                    const std::string& locale, const std::string& name, const std::string& path) {
  const auto templates =
      apps::LoadTemplatesOrExit(config, service::WorkerTemplateNames(), "chatshopctl");
  if (!templates.HasLocale(locale)) {
    std::cerr << "chatshopctl: --locale: no shipped templates for \"" << locale << "\"\n";
    return 1;
  }
  if (!templates.HasName(name)) {
    std::cerr << "chatshopctl: there is no template called \"" << name << "\" (see "
              << config.templates.dir << "/" << common::kDefaultLocale << ")\n";
    return 1;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "chatshopctl: cannot read " << path << "\n";
    return 1;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string body = text.str();
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  if (auto problem = common::OverrideProblem(templates.Source(locale, name), body);
      !problem.empty()) {
    std::cerr << path << ": " << problem << "\n";
    return 1;
  }
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  if (auto set = shops.SetTemplate(*shop_id, locale, name, body); !set) return Fail(set.error());
  std::cout << "shop " << *shop_id << " now uses its own " << locale << "/" << name << "\n";
  return 0;
}

int ResetShopTemplate(const common::Config& config, const std::string& phone_number_id,
                      const std::string& locale, const std::string& name) {
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  auto reset = shops.ResetTemplate(*shop_id, locale, name);
  if (!reset) return Fail(reset.error());
  std::cout << (*reset ? "shop now uses the shipped " : "shop already used the shipped ") << locale
            << "/" << name << "\n";
  return 0;
}

}  // namespace

void AddTemplateCommands(CLI::App& cli, CommandTable& table) {
  struct Options {
    std::string phone_number_id, locale, name, path;
  };
  auto* tmpl = cli.add_subcommand("template", "a shop's own wording of replies");
  tmpl->require_subcommand(1);
  auto list_options = std::make_shared<Options>();
  auto* list = tmpl->add_subcommand("list", "templates the shop has replaced");
  AddShopOption(list, list_options->phone_number_id);
  table.Add(list, [o = list_options](const common::Config& config) {
    return ListShopTemplates(config, o->phone_number_id);
  });
  auto set_options = std::make_shared<Options>();
  auto* set = tmpl->add_subcommand(
      "set", "replace a template for one shop (takes effect with the next message)");
  AddShopOption(set, set_options->phone_number_id);
  set->add_option("--locale", set_options->locale, "en, hi")->required();
  set->add_option("name", set_options->name, "template name, as in templates/en/NAME.mustache")
      ->required();
  set->add_option("file", set_options->path, "Mustache file with the shop's wording")->required();
  table.Add(set, [o = set_options](const common::Config& config) {
    return SetShopTemplate(config, o->phone_number_id, o->locale, o->name, o->path);
  });
  auto reset_options = std::make_shared<Options>();
  auto* reset = tmpl->add_subcommand("reset", "go back to the shipped wording");
  AddShopOption(reset, reset_options->phone_number_id);
  reset->add_option("--locale", reset_options->locale, "en, hi")->required();
  reset->add_option("name", reset_options->name, "template name")->required();
  table.Add(reset, [o = reset_options](const common::Config& config) {
    return ResetShopTemplate(config, o->phone_number_id, o->locale, o->name);
  });

  struct NoticeOptions {
    std::string phone_number_id, kind;
    bot::NoticeTemplate approved;
  };
  auto* notice = cli.add_subcommand("notice-template",
                                    "approved templates for order notices outside 24 hours");
  notice->require_subcommand(1);
  auto notice_options = std::make_shared<NoticeOptions>();
  auto* notice_set = notice->add_subcommand("set", "use template NAME for KIND notices");
  AddShopOption(notice_set, notice_options->phone_number_id);
  notice_set
      ->add_option("kind", notice_options->kind,
                   "confirmed, rejected, packed, out, delivered, cancelled or expired")
      ->required();
  notice_set->add_option("name", notice_options->approved.name, "the approved template's name")
      ->required();
  notice_set
      ->add_option("--language", notice_options->approved.language, "its language code, like en")
      ->required();
  table.Add(notice_set, [o = notice_options](const common::Config& config) {
    return NoticeTemplateSet(config, o->phone_number_id, o->kind, o->approved);
  });
}

}  // namespace chatshop::ctl
