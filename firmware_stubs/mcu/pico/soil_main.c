/* The soil node on an RP2040: unit 1, 9600 8N1 on UART0 (TX GP0, RX GP1,
 * DE GP2). Change the settings here, or read them from a DIP switch. */
#include "board.h"
#include "kk_hal_pico.h"
#include "pico/stdlib.h"
#include "soil_node.h"

static soil_node_t node;

int main(void)
{
    static const kk_pico_bus_t bus = {0u, 0u, 1u, 2u, 9600u, 'N', 1u};
    static const soil_node_config_t config = {1u, 9600u, 10u};

    board_init();
    if (!kk_pico_bus_init(&bus) || !soil_node_init(&node, &config)) {
        panic("soil node: invalid bus settings");
    }
    for (;;) {
        kk_pico_wait(soil_node_step(&node));
    }
}
