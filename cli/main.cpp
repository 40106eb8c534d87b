// certkeep: an ACME v2 client and certificate lifecycle manager.
#include "cli/run.hpp"

#include <csignal>
#include <iostream>

int main(int argc, char** argv) {
    // A closed stdout (`certkeep issue | head`) must not kill a run that already stored its
    // certificate: writes fail with EPIPE instead, and are reported.
    (void)std::signal(SIGPIPE, SIG_IGN);
    certkeep::cli::Console console{std::cout, std::cerr};
    return certkeep::cli::run(argc, argv, console);
}
