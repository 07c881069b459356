#include "kk_rtu_slave.h"

#include "kk_crc.h"

/* Unit, function code, two CRC bytes. */
#define MIN_FRAME 4u

bool kk_rtu_slave_init(kk_rtu_slave_t *slave, uint8_t unit, kk_map_t *map,
                       const kk_write_hooks_t *hooks)
{
    kk_rtu_stats_t zero = {0u, 0u, 0u, 0u, 0u, 0u, 0u};

    slave->unit = unit;
    slave->map = map;
    slave->hooks.check = NULL;
    slave->hooks.applied = NULL;
    slave->hooks.ctx = NULL;
    if (hooks != NULL) {
        slave->hooks = *hooks;
    }
    slave->stats = zero;
    return unit != KK_UNIT_BROADCAST && unit <= KK_UNIT_MAX;
}

size_t kk_rtu_slave_frame(kk_rtu_slave_t *slave, const uint8_t *frame, size_t len,
                          uint8_t *reply)
{
    size_t pdu_len;
    uint16_t crc;

    if (len < MIN_FRAME || len > KK_RTU_MAX_ADU) {
        slave->stats.frame_errors++;
        return 0u;
    }
    crc = kk_crc16(frame, len - 2u);
    if (frame[len - 2u] != (uint8_t)(crc & 0xFFu) || frame[len - 1u] != (uint8_t)(crc >> 8)) {
        slave->stats.frame_errors++;
        return 0u;
    }
    if (frame[0] != slave->unit && frame[0] != KK_UNIT_BROADCAST) {
        slave->stats.other_unit++;
        return 0u;
    }
    slave->stats.frames++;
    pdu_len = kk_pdu_handle(slave->map, &slave->hooks, &frame[1], len - 3u, &reply[1]);
    if (frame[0] == KK_UNIT_BROADCAST) {
        /* Executed like any request; an answer would collide with every
         * other slave's on the bus. */
        slave->stats.broadcasts++;
        return 0u;
    }
    reply[0] = slave->unit;
    crc = kk_crc16(reply, pdu_len + 1u);
    reply[pdu_len + 1u] = (uint8_t)(crc & 0xFFu);
    reply[pdu_len + 2u] = (uint8_t)(crc >> 8);
    slave->stats.replies++;
    if ((reply[1] & 0x80u) != 0u) {
        slave->stats.exceptions++;
    }
    return pdu_len + 3u;
}

void kk_rtu_slave_overrun(kk_rtu_slave_t *slave)
{
    slave->stats.overruns++;
}
