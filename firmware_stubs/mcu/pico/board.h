/* What a board adds to kk_hal_pico.c: its sensors and outputs, by the ids
 * of the node application it runs (soil_node.h, cart_io.h). */
#ifndef BOARD_H
#define BOARD_H

#include <stdbool.h>
#include <stdint.h>

void board_init(void);
bool board_sensor_read(uint8_t id, int32_t *value);
void board_output(uint8_t id, int32_t value);

#endif
