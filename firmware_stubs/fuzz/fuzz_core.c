/* Fuzzes the core without a line: random and almost-valid frames through
 * the RTU slave against a map with every table, byte streams with random
 * timing through the frame receiver, and random fixes through the NMEA
 * writer. Built with AddressSanitizer and UndefinedBehaviorSanitizer, so
 * any out-of-bounds access or undefined operation aborts the run; on top,
 * each result is checked against properties that must hold whatever the
 * input. Usage: fuzz_core [ITERATIONS [SEED]]; exit 0 when all held. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kk_crc.h"
#include "kk_map.h"
#include "kk_nmea.h"
#include "kk_pdu.h"
#include "kk_rtu_rx.h"
#include "kk_rtu_slave.h"

#define UNIT 7u
#define COILS 16u
#define INPUTS 20u
#define HOLDING_FIRST 0x0100u
#define HOLDING 16u
#define REFUSED_BY_HOOK 0x0BADu

static uint32_t rng_state;
static unsigned long failures;

/* xorshift32: deterministic for a seed, so a failure can be replayed. */
static uint32_t next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static uint32_t below(uint32_t n)
{
    return n == 0u ? 0u : next() % n;
}

/* Any int32_t, INT32_MIN included, without an implementation-defined cast. */
static int32_t any_int32(void)
{
    uint32_t u = next();

    return u < 0x80000000u ? (int32_t)u : -(int32_t)(~u) - 1;
}

static void fail(const char *what, unsigned long iteration)
{
    failures++;
    if (failures <= 10u) {
        fprintf(stderr, "fuzz_core: iteration %lu: %s\n", iteration, what);
    }
}

static uint16_t input_regs[INPUTS];
static uint16_t holding_regs[HOLDING];
static uint8_t coil_bits[COILS / 8u];
/* Holding 0x0100..0x0107 are writable, 0x0108..0x010F read-only. */
static const kk_limit_t limits[] = {
    {0x0100u, false, 0, 65535},  {0x0101u, true, -100, 300}, {0x0102u, false, 5, 100},
    {0x0103u, true, -32768, 32767}, {0x0104u, false, 1, 1},   {0x0105u, true, -5, -1},
    {0x0106u, false, 0, 0},      {0x0107u, true, 0, 10},
};
/* Coils 0..7 writable, 8..15 read-only. */
static const uint16_t writable_coils[] = {0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u};
static unsigned long applied_writes;

static uint8_t check(void *ctx, const kk_write_t *write)
{
    uint16_t i;

    (void)ctx;
    for (i = 0; i < write->count; i++) {
        if (write->table == KK_WRITE_HOLDING && kk_write_value(write, i) == REFUSED_BY_HOOK) {
            return KK_EX_DEVICE_FAILURE;
        }
    }
    return 0u;
}

static void applied(void *ctx, const kk_write_t *write)
{
    (void)ctx;
    (void)write;
    applied_writes++;
}

static void put_crc(uint8_t *frame, size_t len)
{
    uint16_t crc = kk_crc16(frame, len);

    frame[len] = (uint8_t)(crc & 0xFFu);
    frame[len + 1u] = (uint8_t)(crc >> 8);
}

static uint16_t pick_address(void)
{
    switch (below(4u)) {
    case 0u:
        return (uint16_t)below(24u);
    case 1u:
        return (uint16_t)(HOLDING_FIRST - 2u + below(20u));
    case 2u:
        return (uint16_t)(0xFFFFu - below(4u));
    default:
        return (uint16_t)next();
    }
}

static uint16_t pick_count(void)
{
    static const uint16_t edges[] = {0u, 1u, 2u, 123u, 124u, 125u, 126u, 2000u, 2001u, 0xFFFFu};

    return below(4u) == 0u ? edges[below(sizeof edges / sizeof edges[0])]
                           : (uint16_t)(1u + below(6u));
}

/* A frame that is valid or nearly so, so the PDU code behind the CRC check
 * is what gets fuzzed; returns its length. */
static size_t make_frame(uint8_t *frame)
{
    static const uint8_t functions[] = {1u, 3u, 4u, 5u, 6u, 16u, 2u, 15u, 0x2Bu, 0x83u, 0u};
    uint8_t units[] = {UNIT, UNIT, UNIT, 0u, (uint8_t)(UNIT + 1u), (uint8_t)next()};
    uint16_t address = pick_address();
    uint16_t count = pick_count();
    size_t len = 0u;
    uint32_t i;

    frame[len++] = units[below(sizeof units)];
    frame[len++] = functions[below(sizeof functions)];
    if (below(2u) == 0u) {
        /* Aim at the function's own table, around its edges. */
        bool holding = frame[1] == 3u || frame[1] == 6u || frame[1] == 16u;
        address = (uint16_t)((holding ? HOLDING_FIRST : 0u) + below(HOLDING + 6u));
    }
    frame[len++] = (uint8_t)(address >> 8);
    frame[len++] = (uint8_t)address;
    if (frame[1] == KK_FC_WRITE_COIL && below(4u) != 0u) {
        count = below(2u) != 0u ? 0xFF00u : 0x0000u;
    }
    frame[len++] = (uint8_t)(count >> 8);
    frame[len++] = (uint8_t)count;
    if (frame[1] == KK_FC_WRITE_REGISTERS) {
        uint32_t values = below(4u) == 0u ? below(130u) : count;
        frame[len++] = below(8u) == 0u ? (uint8_t)next() : (uint8_t)(2u * values);
        for (i = 0; i < values && len + 2u + 2u <= KK_RTU_MAX_ADU; i++) {
            uint16_t value = below(8u) == 0u ? REFUSED_BY_HOOK : (uint16_t)below(400u);
            frame[len++] = (uint8_t)(value >> 8);
            frame[len++] = (uint8_t)value;
        }
    }
    /* Truncate or extend now and then: the implied length must be checked. */
    if (below(8u) == 0u && len > 1u) {
        len -= 1u + below((uint32_t)len - 1u);
    } else if (below(8u) == 0u && len + 3u <= KK_RTU_MAX_ADU) {
        frame[len++] = (uint8_t)next();
    }
    put_crc(frame, len);
    len += 2u;
    if (below(16u) == 0u) {
        frame[below((uint32_t)len)] ^= (uint8_t)(1u << below(8u)); /* one flipped bit */
    }
    return len;
}

static int32_t as_value(const kk_limit_t *limit, uint16_t raw)
{
    return limit->is_signed && raw >= 0x8000u ? (int32_t)raw - 0x10000 : (int32_t)raw;
}

/* An acknowledged single write holds the value written. */
static void check_written(const uint8_t *frame, unsigned long iteration)
{
    uint16_t address = (uint16_t)((frame[2] << 8) | frame[3]);
    uint16_t value = (uint16_t)((frame[4] << 8) | frame[5]);

    if (frame[1] == KK_FC_WRITE_REGISTER) {
        if (address < HOLDING_FIRST || address >= HOLDING_FIRST + HOLDING ||
            holding_regs[address - HOLDING_FIRST] != value) {
            fail("an acknowledged register write is not stored", iteration);
        }
    } else if (address >= COILS ||
               (((unsigned)coil_bits[address / 8u] >> (address % 8u)) & 1u) !=
                   (value == 0xFF00u ? 1u : 0u)) {
        fail("an acknowledged coil write is not stored", iteration);
    }
}

static void check_reply(const uint8_t *frame, size_t len, const uint8_t *reply, size_t reply_len,
                        unsigned long iteration)
{
    uint16_t crc;
    bool crc_ok = len >= 4u && kk_crc16(frame, len - 2u) ==
                                   (uint16_t)(frame[len - 2u] | (frame[len - 1u] << 8));
    bool ours = len >= 1u && frame[0] == UNIT;

    if (reply_len == 0u) {
        if (crc_ok && ours) {
            fail("a valid frame for this unit got no reply", iteration);
        }
        return;
    }
    if (!crc_ok || !ours) {
        fail("answered a damaged frame, a broadcast or another unit's frame", iteration);
    }
    if (reply_len < 5u || reply_len > KK_RTU_MAX_ADU) {
        fail("reply length out of bounds", iteration);
        return;
    }
    crc = kk_crc16(reply, reply_len - 2u);
    if (reply[reply_len - 2u] != (uint8_t)crc || reply[reply_len - 1u] != (uint8_t)(crc >> 8)) {
        fail("reply CRC wrong", iteration);
    }
    if (reply[0] != UNIT || (reply[1] & 0x7Fu) != (frame[1] & 0x7Fu)) {
        fail("reply unit or function wrong", iteration);
    }
    if ((reply[1] & 0x80u) != 0u) {
        if (reply_len != 5u || reply[2] < 1u || reply[2] > 4u) {
            fail("malformed exception reply", iteration);
        }
    } else if ((frame[1] == 3u || frame[1] == 4u) &&
               reply_len != 5u + 2u * (size_t)((frame[4] << 8) | frame[5])) {
        fail("register read reply length does not match the quantity", iteration);
    } else if (frame[1] == KK_FC_WRITE_REGISTER || frame[1] == KK_FC_WRITE_COIL) {
        check_written(frame, iteration);
    }
}

static void check_map(unsigned long iteration, const uint16_t *holding_before, uint8_t coils_before)
{
    size_t i;

    for (i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        uint16_t raw = holding_regs[limits[i].address - HOLDING_FIRST];
        int32_t value = as_value(&limits[i], raw);
        if ((value < limits[i].min || value > limits[i].max) &&
            raw != holding_before[limits[i].address - HOLDING_FIRST]) {
            fail("a write stored a value outside its limits", iteration);
        }
        if (raw == REFUSED_BY_HOOK && raw != holding_before[limits[i].address - HOLDING_FIRST]) {
            fail("a write the application refused was stored", iteration);
        }
    }
    for (i = 8u; i < HOLDING; i++) {
        if (holding_regs[i] != holding_before[i]) {
            fail("a read-only holding register changed", iteration);
        }
    }
    if (coil_bits[1] != coils_before) {
        fail("a read-only coil changed", iteration);
    }
}

static void fuzz_frames(kk_rtu_slave_t *slave, unsigned long iterations)
{
    uint8_t frame[KK_RTU_MAX_ADU + 8u];
    uint8_t reply[KK_RTU_MAX_ADU];
    uint16_t before[HOLDING];
    unsigned long i;

    for (i = 0; i < iterations; i++) {
        size_t len;
        size_t reply_len;
        uint8_t coils_before = coil_bits[1];

        if (below(4u) == 0u) {
            uint32_t j;
            len = below(KK_RTU_MAX_ADU + 1u);
            for (j = 0; j < len; j++) {
                frame[j] = (uint8_t)next();
            }
        } else {
            len = make_frame(frame);
        }
        memcpy(before, holding_regs, sizeof before);
        reply_len = kk_rtu_slave_frame(slave, frame, len, reply);
        check_reply(frame, len, reply, reply_len, i);
        check_map(i, before, coils_before);
    }
}

/* Byte streams with random gaps: whatever arrives, a frame never exceeds
 * the buffer and every byte ends up in exactly one frame or overrun. */
static void fuzz_receiver(unsigned long iterations)
{
    kk_rtu_rx_t rx;
    uint8_t chunk[300];
    uint32_t now = next();
    unsigned long i;
    unsigned long fed = 0u;
    unsigned long framed = 0u;
    unsigned long pending = 0u;

    (void)kk_rtu_rx_init(&rx, 9600u, 10u);
    for (i = 0; i < iterations; i++) {
        size_t len = below(sizeof chunk);
        size_t j;
        size_t frame_len;

        for (j = 0; j < len; j++) {
            chunk[j] = (uint8_t)next();
        }
        kk_rtu_rx_bytes(&rx, chunk, len, now);
        fed += len;
        pending += len;
        now += below(3u) == 0u ? below(10000u) : below(rx.gap_us); /* wraps, as timers do */
        switch (kk_rtu_rx_poll(&rx, now)) {
        case KK_RX_FRAME:
            (void)kk_rtu_rx_frame(&rx, &frame_len);
            if (frame_len != pending || frame_len > KK_RTU_MAX_ADU) {
                fail("a frame does not hold exactly the bytes since the last silence", i);
            }
            framed += frame_len;
            pending = 0u;
            break;
        case KK_RX_OVERRUN:
            if (pending <= KK_RTU_MAX_ADU) {
                fail("an overrun reported for a frame that fitted", i);
            }
            framed += pending;
            pending = 0u;
            break;
        case KK_RX_NONE:
        default:
            if (kk_rtu_rx_wait_us(&rx, now) == 0u) {
                fail("no frame although the silence is over", i);
            }
            break;
        }
    }
    if (framed + pending != fed) {
        fail("bytes lost between frames", iterations);
    }
}

static bool sentence_ok(const char *s, size_t len, unsigned fields_expected)
{
    unsigned sum = 0u;
    unsigned fields = 0u;
    size_t i;
    char hex[3];

    if (len < 6u || len > KK_NMEA_MAX_SENTENCE || s[0] != '$' || s[len - 2u] != '\r' ||
        s[len - 1u] != '\n' || s[len - 5u] != '*') {
        return false;
    }
    for (i = 1u; i < len - 5u; i++) {
        if (s[i] < 0x20 || s[i] > 0x7E || s[i] == '*' || s[i] == '$') {
            return false;
        }
        sum ^= (unsigned)(unsigned char)s[i];
        fields += s[i] == ',' ? 1u : 0u;
    }
    (void)snprintf(hex, sizeof hex, "%02X", sum);
    return fields == fields_expected && s[len - 4u] == hex[0] && s[len - 3u] == hex[1];
}

static void fuzz_nmea(unsigned long iterations)
{
    char out[KK_NMEA_MAX_SENTENCE];
    unsigned long i;

    for (i = 0; i < iterations; i++) {
        kk_gnss_fix_t fix;
        size_t len;

        fix.time_valid = below(8u) != 0u;
        fix.time_ms = below(4u) == 0u ? next() : below(86400000u);
        fix.date_valid = below(8u) != 0u;
        fix.year = (uint16_t)(below(4u) == 0u ? next() : 2000u + below(100u));
        fix.month = (uint8_t)(below(4u) == 0u ? next() : 1u + below(12u));
        fix.day = (uint8_t)(below(4u) == 0u ? next() : 1u + below(31u));
        fix.quality = (uint8_t)below(10u);
        fix.lat_e7 = below(4u) == 0u ? any_int32() : (int32_t)below(1800000001u) - 900000000;
        fix.lon_e7 = below(4u) == 0u ? any_int32() : (int32_t)below(3600000001u / 2u) * 2 - 1800000000;
        fix.alt_dm = any_int32();
        fix.satellites = (uint8_t)next();
        fix.hdop_d = (uint16_t)next();
        fix.speed_cms = below(2u) != 0u ? next() : below(10000u);
        fix.course_cdeg = next();
        len = kk_nmea_gga(&fix, out, sizeof out);
        if (!sentence_ok(out, len, 14u)) {
            fail("GGA sentence malformed", i);
        }
        len = kk_nmea_rmc(&fix, out, sizeof out);
        if (!sentence_ok(out, len, 12u)) {
            fail("RMC sentence malformed", i);
        }
        if (kk_nmea_gga(&fix, out, 10u) != 0u) {
            fail("a sentence was cut to fit a short buffer", i);
        }
    }
}

int main(int argc, char **argv)
{
    unsigned long iterations = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000uL;
    kk_map_t map;
    kk_write_hooks_t hooks = {check, applied, NULL};
    kk_rtu_slave_t slave;

    rng_state = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 1u;
    if (rng_state == 0u) {
        rng_state = 1u; /* xorshift's one fixed point */
    }
    map.coils.first = 0u;
    map.coils.count = COILS;
    map.coils.bits = coil_bits;
    map.input.first = 0u;
    map.input.count = INPUTS;
    map.input.regs = input_regs;
    map.holding.first = HOLDING_FIRST;
    map.holding.count = HOLDING;
    map.holding.regs = holding_regs;
    map.limits = limits;
    map.limit_count = sizeof limits / sizeof limits[0];
    map.writable_coils = writable_coils;
    map.writable_coil_count = sizeof writable_coils / sizeof writable_coils[0];
    coil_bits[1] = 0xA5u;
    holding_regs[8] = 0x1234u;
    if (!kk_rtu_slave_init(&slave, UNIT, &map, &hooks)) {
        fprintf(stderr, "fuzz_core: unit rejected\n");
        return 1;
    }
    fuzz_frames(&slave, iterations);
    fuzz_receiver(iterations / 4u);
    fuzz_nmea(iterations / 4u);
    printf("fuzz_core: %lu frames: %lu replies (%lu exceptions), %lu broadcasts, %lu other unit, "
           "%lu damaged; %lu writes applied; %lu receiver chunks; %lu fixes; %lu failures\n",
           iterations, (unsigned long)slave.stats.replies, (unsigned long)slave.stats.exceptions,
           (unsigned long)slave.stats.broadcasts, (unsigned long)slave.stats.other_unit,
           (unsigned long)slave.stats.frame_errors, applied_writes, iterations / 4u,
           iterations / 4u, failures);
    return failures == 0u ? 0 : 1;
}
