// certkeep: an ACME v2 client and certificate lifecycle manager.
#include "cli/commands.hpp"

#include <iostream>

int main(int argc, char** argv) {
    certkeep::cli::Console console{std::cout, std::cerr};
    return certkeep::cli::run(argc, argv, console);
}
