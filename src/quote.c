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

/* The code point of the valid len-byte UTF-8 sequence at p. */
static unsigned long
code_point(const unsigned char *p, size_t len)
{
	static const unsigned char	lead_mask[] = { 0, 0, 0x1f, 0x0f, 0x07 };
	unsigned long			cp = p[0] & lead_mask[len];
	size_t				i;

	for (i = 1; i < len; i++)
		cp = (cp << 6) | (p[i] & 0x3f);
	return cp;
}

/*
 * Format characters that change how the text around them is shown
 * without showing themselves: bidirectional overrides and isolates (so
 * 'gpj.exe' with U+202E before it shows as 'exe.jpg'), zero-width
 * characters, invisible operators and tags, and the line and paragraph
 * separators that break a message line on some terminals.
 */
static bool
is_disguising(unsigned long cp)
{
	static const struct {
		unsigned long	first, last;
	} ranges[] = {
		{ 0x00ad, 0x00ad },	/* soft hyphen */
		{ 0x034f, 0x034f },	/* combining grapheme joiner */
		{ 0x061c, 0x061c },	/* Arabic letter mark */
		{ 0x115f, 0x1160 },	/* Hangul fillers */
		{ 0x180e, 0x180e },	/* Mongolian vowel separator */
		{ 0x200b, 0x200f },	/* zero-width space .. RLM */
		{ 0x2028, 0x202e },	/* separators, embeddings, overrides */
		{ 0x2060, 0x2064 },	/* word joiner, invisible operators */
		{ 0x2066, 0x206f },	/* isolates, deprecated formats */
		{ 0x3164, 0x3164 },	/* Hangul filler */
		{ 0xfeff, 0xfeff },	/* zero-width no-break space (BOM) */
		{ 0xffa0, 0xffa0 },	/* halfwidth Hangul filler */
		{ 0xfff9, 0xfffb },	/* interlinear annotation */
		{ 0x1d173, 0x1d17a },	/* musical format controls */
		{ 0xe0000, 0xe007f }	/* tags */
	};
	size_t	i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (cp >= ranges[i].first && cp <= ranges[i].last)
			return true;
	return false;
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
		if (is_disguising(code_point(p, n))) {
			for (i = 0; i < n; i++)
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
