#define _POSIX_C_SOURCE 200809L

#include "host_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host_control.h"
#include "host_platform.h"
#include "host_serial.h"

#define CONTROL_LINE_MAX 128u
/* poll() counts milliseconds; an idle node still wakes once a second. */
#define MAX_SLEEP_MS 1000

typedef struct {
    const char *port;
    const char *aux;
    uint32_t baudrate;
    char parity;
    unsigned stopbits;
    unsigned unit;
} options_t;

static volatile sig_atomic_t stop_requested = 0;
static char stdout_buffer[1024];

static void on_signal(int signo)
{
    (void)signo;
    stop_requested = 1;
}

static void usage(const host_app_t *app)
{
    size_t i;

    fprintf(stderr,
            "usage: %s --port PATH%s [--baud N] [--parity N|E|O] [--stopbits 1|2] "
            "[--unit 1..247] [--set SENSOR=VALUE]... [--fail SENSOR]...\nsensors:",
            app->name, app->has_aux ? " --aux PATH" : "");
    for (i = 0; i < app->sensor_count; i++) {
        fprintf(stderr, " %s", app->sensor_names[i]);
    }
    fprintf(stderr, "\n");
}

static bool parse_unsigned(const char *text, unsigned long max, unsigned long *value)
{
    char *end;

    errno = 0;
    *value = strtoul(text, &end, 10);
    return errno == 0 && end != text && *end == '\0' && text[0] != '-' && *value <= max;
}

/* Sensor options are applied as they come, so a later one wins. */
static bool parse(const host_app_t *app, int argc, char **argv, options_t *opt)
{
    int i;

    opt->port = NULL;
    opt->aux = NULL;
    opt->baudrate = app->default_baudrate;
    opt->parity = 'N';
    opt->stopbits = 1u;
    opt->unit = 1u;
    for (i = 1; i + 1 < argc; i += 2) {
        const char *key = argv[i];
        const char *value = argv[i + 1];
        unsigned long number;

        if (strcmp(key, "--port") == 0) {
            opt->port = value;
        } else if (strcmp(key, "--aux") == 0 && app->has_aux) {
            opt->aux = value;
        } else if (strcmp(key, "--baud") == 0 && parse_unsigned(value, 1000000uL, &number)) {
            opt->baudrate = (uint32_t)number;
        } else if (strcmp(key, "--parity") == 0 && strlen(value) == 1u &&
                   strchr("NEO", value[0]) != NULL) {
            opt->parity = value[0];
        } else if (strcmp(key, "--stopbits") == 0 && parse_unsigned(value, 2uL, &number) &&
                   number >= 1uL) {
            opt->stopbits = (unsigned)number;
        } else if (strcmp(key, "--unit") == 0 && parse_unsigned(value, 255uL, &number)) {
            opt->unit = (unsigned)number;
        } else if (strcmp(key, "--set") == 0 && host_control_assign(value)) {
            continue;
        } else if (strcmp(key, "--fail") == 0 && host_control_fail(value)) {
            continue;
        } else {
            fprintf(stderr, "error: bad option %s %s\n", key, value);
            return false;
        }
    }
    if (i != argc || opt->port == NULL) {
        fprintf(stderr, "error: %s\n", i != argc ? "an option lacks its value" : "--port is required");
        return false;
    }
    return true;
}

/* Reads whatever stdin holds and runs each complete line; false at its end. */
static bool read_control(char *line, size_t *len, const kk_rtu_port_t *port)
{
    char chunk[64];
    ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
    ssize_t i;

    if (n == 0) {
        return false;
    }
    if (n < 0) {
        return errno == EAGAIN || errno == EINTR;
    }
    for (i = 0; i < n; i++) {
        if (chunk[i] == '\n') {
            line[*len] = '\0';
            host_control_line(line, port);
            *len = 0u;
        } else if (*len + 1u < CONTROL_LINE_MAX) {
            line[*len] = chunk[i];
            (*len)++;
        }
    }
    return true;
}

static int wait_ms(uint32_t wait_us)
{
    uint32_t ms = wait_us / 1000u + (wait_us % 1000u != 0u ? 1u : 0u);

    return ms > (uint32_t)MAX_SLEEP_MS ? MAX_SLEEP_MS : (int)ms;
}

static int loop(const host_app_t *app)
{
    char line[CONTROL_LINE_MAX];
    size_t len = 0u;
    bool control_open = true;

    while (stop_requested == 0 && !host_platform.bus_failed) {
        struct pollfd fds[2];
        uint32_t wait_us = app->step();
        nfds_t count = 1u;

        fds[0].fd = host_platform.bus_fd;
        fds[0].events = POLLIN;
        fds[0].revents = 0;
        if (control_open) {
            fds[1].fd = STDIN_FILENO;
            fds[1].events = POLLIN;
            fds[1].revents = 0;
            count = 2u;
        }
        if (poll(fds, count, wait_ms(wait_us)) < 0 && errno != EINTR) {
            perror("error: poll");
            return 1;
        }
        if ((fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
            host_platform.bus_failed = true;
        }
        if (count == 2u && (fds[1].revents & (POLLIN | POLLHUP)) != 0) {
            control_open = read_control(line, &len, app->port());
            if (!control_open) {
                /* The test (or shell) that drove us is gone: stop too. */
                stop_requested = 1;
            }
        }
    }
    host_control_print_stats(app->port());
    if (host_platform.bus_failed) {
        fprintf(stderr, "error: the bus port failed or hung up\n");
        return 1;
    }
    return 0;
}

int host_run(const host_app_t *app, int argc, char **argv)
{
    struct sigaction action;
    options_t opt;
    size_t i;
    uint8_t bits;

    (void)setvbuf(stdout, stdout_buffer, _IOLBF, sizeof stdout_buffer);
    host_platform.sensor_names = app->sensor_names;
    host_platform.sensor_count = app->sensor_count < HOST_MAX_SENSORS ? app->sensor_count
                                                                      : HOST_MAX_SENSORS;
    host_platform.utc_date_sensor = app->utc_date_sensor;
    host_platform.utc_time_sensor = app->utc_time_sensor;
    host_platform.output_names = app->output_names;
    host_platform.output_count = app->output_count;
    for (i = 0; i < host_platform.sensor_count; i++) {
        host_platform.sensor_values[i] = app->sensor_defaults[i];
        host_platform.sensor_ok[i] = true;
    }
    if (!parse(app, argc, argv, &opt)) {
        usage(app);
        return 2;
    }
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    (void)sigemptyset(&action.sa_mask);
    (void)sigaction(SIGTERM, &action, NULL);
    (void)sigaction(SIGINT, &action, NULL);
    (void)fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);

    host_platform.bus_fd = host_serial_open(opt.port, opt.baudrate, opt.parity, opt.stopbits);
    if (host_platform.bus_fd < 0) {
        return 1;
    }
    if (opt.aux != NULL) {
        host_platform.aux_fd = host_serial_open(opt.aux, 9600u, 'N', 1u);
        if (host_platform.aux_fd < 0) {
            return 1;
        }
    }
    /* start bit + 8 data bits + parity + stop bits */
    bits = (uint8_t)(9u + (opt.parity == 'N' ? 0u : 1u) + opt.stopbits);
    if (!app->start((uint8_t)opt.unit, opt.baudrate, bits)) {
        fprintf(stderr, "error: unit %u: expected 1..247\n", opt.unit);
        return 2;
    }
    printf("ready node=%s port=%s unit=%u baud=%lu parity=%c stopbits=%u\n", app->name, opt.port,
           opt.unit, (unsigned long)opt.baudrate, opt.parity, opt.stopbits);
    (void)fflush(stdout);
    return loop(app);
}
