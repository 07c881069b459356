/* The soil node's main loop as it runs on a microcontroller, linked for
 * measurement: unit 1, 9600 8N1. */
#include "soil_node.h"

static soil_node_t node;

int main(void)
{
    static const soil_node_config_t config = {1u, 9600u, 10u};

    if (!soil_node_init(&node, &config)) {
        for (;;) {
        }
    }
    for (;;) {
        (void)soil_node_step(&node);
    }
}
