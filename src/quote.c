/*
 * quote.c: names in messages, made safe for a terminal.
 *
 * A file name may hold any byte but '/' and NUL.  Printed raw, a newline
 * forges a message line and an escape sequence drives the terminal, so
 * every name passes through hl_quote() first.  Valid, printable UTF-8
 * passes unchanged; no locale is consulted, so the output is the same
 * everywhere and costs no set-up.
 */
#include <stddef.h>

#include "hardlink.h"

struct sink {
	char	*buf;
	size_t	 size;
	size_t	 len;
};

static void
put(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void
put_str(struct sink *s, const char *str)
{
	while (*str != '\0')
		put(s, *str++);
}

static void
put_hex(struct sink *s, unsigned char byte)
{
	static const char digits[] = "0123456789abcdef";

	put(s, '\\');
	put(s, 'x');
	put(s, digits[byte >> 4]);
	put(s, digits[byte & 0xf]);
}

/*
 * Returns the length of the valid UTF-8 sequence at p (2 to 4), or 0 when
 * p does not start one.  Overlong forms, surrogates and code points past
 * U+10FFFF are invalid.
 */
static size_t
utf8_sequence(const unsigned char *p)
{
	unsigned char	b0 = p[0];
	size_t		len, i;
	unsigned char	lo = 0x80, hi = 0xbf;

	if (b0 >= 0xc2 && b0 <= 0xdf)
		len = 2;
	else if (b0 >= 0xe0 && b0 <= 0xef)
		len = 3;
	else if (b0 >= 0xf0 && b0 <= 0xf4)
		len = 4;
	else
		return 0;
	if (b0 == 0xe0)
		lo = 0xa0;
	else if (b0 == 0xed)
		hi = 0x9f;
	else if (b0 == 0xf0)
		lo = 0x90;
	else if (b0 == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

static void
put_ascii(struct sink *s, unsigned char c)
{
	switch (c) {
	case '\\':
		put_str(s, "\\\\");
		break;
	case '\'':
		put_str(s, "\\'");
		break;
	case '\n':
		put_str(s, "\\n");
		break;
	case '\t':
		put_str(s, "\\t");
		break;
	case '\r':
		put_str(s, "\\r");
		break;
	default:
		if (c < 0x20 || c == 0x7f)
			put_hex(s, c);
		else
			put(s, (char)c);
	}
}

size_t
hl_quote(const char *name, char *buf, size_t size)
{
	const unsigned char	*p = (const unsigned char *)name;
	struct sink		 s = { buf, size, 0 };
	size_t			 n, i;

	put(&s, '\'');
	while (*p != '\0') {
		if (*p < 0x80) {
			put_ascii(&s, *p++);
			continue;
		}
		n = utf8_sequence(p);
		/* C1 controls (U+0080..U+009F) are CSI and friends to a terminal. */
		if (n == 0 || (p[0] == 0xc2 && p[1] <= 0x9f)) {
			put_hex(&s, *p++);
			continue;
		}
		for (i = 0; i < n; i++)
			put(&s, (char)*p++);
	}
	put(&s, '\'');
	if (size > 0)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return s.len;
}
