/*
 * Strings through the JSON writer (loader/common/json.c), for test_cli_json_escape:
 * one line per string, {"hex": its bytes in hex, "s": it as written}. The strings put
 * every byte value, and the bytes that need an escape at every offset of the
 * writer's 8-byte words, and one string spans several of its buffers.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"

static struct json j;

static void emit(const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char h[2 * 20000 + 1];

	for (size_t i = 0; i < n; i++) {
		h[2 * i] = hex[s[i] >> 4];
		h[2 * i + 1] = hex[s[i] & 0xf];
	}
	json_obj_open(&j);
	json_key(&j, "hex");
	json_strn(&j, h, 2 * n);
	json_key(&j, "s");
	json_strn(&j, (const char *)s, n);
	json_obj_close(&j);
	json_end_line(&j);
}

int main(void)
{
	/* Mostly bytes that need an escape, and their neighbours. */
	static const unsigned char pick[] = { '"', '\\', 0, 1, '\n', '\r', '\t', 0x1f, ' ', '!',
					      '#', '[', ']', 0x7f, 0x80, 0xff, 'a', 'Z', '/', 0x19 };
	unsigned char s[20000];
	uint32_t x = 2463534242u; /* xorshift32: the same strings every run */

	json_init(&j, stdout);
	for (int b = 0; b < 256; b++) {
		s[0] = b;
		emit(s, 1);
		s[b] = b;
	}
	emit(s, 256);
	for (int n = 0; n <= 40; n++) {
		for (int k = 0; k < 40; k++) {
			for (int i = 0; i < n; i++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				/* One string in four has a single special byte among letters. */
				s[i] = (k & 3) ? pick[x % sizeof(pick)] : 'a' + x % 26;
			}
			if (!(k & 3) && n)
				s[k % n] = pick[k % 4];
			emit(s, n);
		}
	}
	/* Longer than the writer's buffer, escapes throughout and at its ends. */
	for (size_t i = 0; i < sizeof(s); i++)
		s[i] = i % 97 == 0 ? '"' : i % 89 == 0 ? 0x01 : 'a' + i % 26;
	emit(s, sizeof(s));
	return 0;
}
