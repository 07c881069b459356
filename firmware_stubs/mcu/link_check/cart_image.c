/* The cart node's main loop as it runs on a microcontroller, linked for
 * measurement: unit 1, 115200 8N1. */
#include "cart_node.h"

static cart_node_t node;

int main(void)
{
    static const cart_node_config_t config = {1u, 115200u, 10u};

    if (!cart_node_init(&node, &config)) {
        for (;;) {
        }
    }
    for (;;) {
        (void)cart_node_step(&node);
    }
}
