// graphsqueeze-cli: runs GraphSqueeze experiments without a display (app/cli/Cli.cpp).
#include "app/cli/Cli.h"

int main(int argc, char** argv)
{
    return gsq::cli::run(argc, argv);
}
