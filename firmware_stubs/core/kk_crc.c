#include "kk_crc.h"

/* A nibble table: 32 bytes of flash instead of the usual 512, and still four
 * times fewer steps than bit by bit, which matters on a Cortex-M0+ answering
 * 250-byte frames at 115200 baud. Entry i is i shifted out through the
 * reflected polynomial four times. */
static const uint16_t nibble_table[16] = {
    0x0000u, 0xCC01u, 0xD801u, 0x1400u, 0xF001u, 0x3C00u, 0x2800u, 0xE401u,
    0xA001u, 0x6C00u, 0x7800u, 0xB401u, 0x5000u, 0x9C01u, 0x8801u, 0x4400u,
};

uint16_t kk_crc16(const uint8_t *data, size_t len)
{
    uint16_t crc = 0xFFFFu;
    size_t i;

    for (i = 0; i < len; i++) {
        crc = (uint16_t)(crc ^ data[i]);
        crc = (uint16_t)((crc >> 4) ^ nibble_table[crc & 0x0Fu]);
        crc = (uint16_t)((crc >> 4) ^ nibble_table[crc & 0x0Fu]);
    }
    return crc;
}
