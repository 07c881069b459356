/* A Modbus RTU slave's decision for one received frame: check it, filter by
 * unit, run the PDU, build the reply frame or stay silent. Pure: no timing
 * and no I/O, so a fuzzer can drive it directly. */
#ifndef KK_RTU_SLAVE_H
#define KK_RTU_SLAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kk_map.h"
#include "kk_pdu.h"
#include "kk_rtu_rx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KK_UNIT_BROADCAST 0u
#define KK_UNIT_MAX 247u

typedef struct {
    uint32_t frames;       /* valid frames for this unit, broadcasts included */
    uint32_t frame_errors; /* shorter than 4 bytes or a bad CRC: ignored */
    uint32_t overruns;     /* longer than KK_RTU_MAX_ADU: ignored */
    uint32_t other_unit;   /* valid frames for another slave: ignored */
    uint32_t broadcasts;   /* executed, never answered */
    uint32_t exceptions;   /* exception replies sent */
    uint32_t replies;      /* replies sent, exceptions included */
} kk_rtu_stats_t;

typedef struct {
    uint8_t unit;
    kk_map_t *map;
    kk_write_hooks_t hooks;
    kk_rtu_stats_t stats;
} kk_rtu_slave_t;

/* Returns false for a unit outside 1..247 (0 is broadcast, 248..255 are
 * reserved). `hooks` may be NULL. */
bool kk_rtu_slave_init(kk_rtu_slave_t *slave, uint8_t unit, kk_map_t *map,
                       const kk_write_hooks_t *hooks);

/* The reply frame for `frame` in `reply` (KK_RTU_MAX_ADU bytes): its length,
 * or 0 when the slave must stay silent (a damaged frame, another unit, a
 * broadcast). A damaged frame is never answered: its unit and function code
 * cannot be trusted, and the master's timeout is the specified outcome. */
size_t kk_rtu_slave_frame(kk_rtu_slave_t *slave, const uint8_t *frame, size_t len,
                          uint8_t *reply);

/* A frame too long to hold was dropped. */
void kk_rtu_slave_overrun(kk_rtu_slave_t *slave);

#ifdef __cplusplus
}
#endif

#endif
