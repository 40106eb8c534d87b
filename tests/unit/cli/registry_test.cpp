// The command registry: options are parsed once with the union of every command's options, so
// two commands declaring the same option must give it the same value type (a mismatch is a
// boost::bad_any_cast, exit 70, the first time a user passes it).
#include "cli/command.hpp"

#include <boost/program_options.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <typeindex>

using namespace certkeep::cli;
namespace po = boost::program_options;

TEST_CASE("every option shared by several commands has one value type", "[cli][registry]") {
    std::map<std::string, std::pair<std::type_index, std::string>> seen;
    for (const auto& cmd : commandRegistry()) {
        if (!cmd.addOptions) {
            continue;
        }
        po::options_description d;
        cmd.addOptions(d);
        std::string owner = cmd.words.front() + (cmd.words.size() > 1 ? " " + cmd.words[1] : "");
        for (const auto& opt : d.options()) {
            const auto* typed = dynamic_cast<const po::typed_value_base*>(opt->semantic().get());
            REQUIRE(typed != nullptr);
            std::type_index type(typed->value_type());
            auto [it, inserted] = seen.emplace(opt->long_name(), std::make_pair(type, owner));
            INFO("--" << opt->long_name() << " in \"" << owner << "\" and \"" << it->second.second
                      << "\"");
            CHECK(it->second.first == type);
        }
    }
    CHECK(seen.count("name") == 1);
}

TEST_CASE("only commands that take operands accept extra words", "[cli][registry]") {
    for (const auto& cmd : commandRegistry()) {
        bool configCheck = cmd.words == std::vector<std::string>{"config", "check"};
        CHECK(cmd.maxOperands == (configCheck ? 1U : 0U));
    }
}
