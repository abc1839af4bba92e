/*
 * fuzz_quote.c: libFuzzer harness for hl_quote() (src/quote.c).
 *
 * The input, up to its first NUL, is a file name.  Its quoted form must be
 * safe to print on a terminal and must say which name it was:
 *
 *   - it starts and ends with a single quote;
 *   - it holds no C0 control byte, no DEL, and is valid UTF-8 (no overlong
 *     form, no surrogate, nothing past U+10FFFF) with no C1 control;
 *   - undoing the escapes (\\ \' \n \t \r \xHH) gives the name back, so
 *     two names never look alike;
 *   - the length returned is the length written when the buffer is large
 *     enough, and is the same whatever the buffer's size;
 *   - into a smaller buffer it writes a terminated prefix of the full form
 *     and not one byte past the buffer (each buffer is a heap block of the
 *     exact size, for AddressSanitizer).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardlink.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_quote: %s\n", what);
	abort();
}

static void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

/* Length of the valid UTF-8 sequence at p, 0 if none; p is terminated. */
static size_t
utf8_len(const unsigned char *p, unsigned long *cp)
{
	size_t	len, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		*cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		*cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		*cp = p[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
		return 0;
	return len;
}

static int
hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Checks the bytes between the quotes and decodes them into out, which
 * has room for len + 1 bytes; returns the decoded length.
 */
static size_t
check_and_unquote(const unsigned char *q, size_t len, unsigned char *out)
{
	size_t		i = 0, n = 0, seq;
	unsigned long	cp;

	while (i < len) {
		if (q[i] < 0x20 || q[i] == 0x7f)
			die("control byte in the quoted form");
		if (q[i] == '\'')
			die("unescaped quote inside the quoted form");
		if (q[i] != '\\') {
			seq = utf8_len(q + i, &cp);
			if (seq == 0 || i + seq > len)
				die("invalid UTF-8 in the quoted form");
			if (cp >= 0x80 && cp <= 0x9f)
				die("C1 control in the quoted form");
			memcpy(out + n, q + i, seq);
			n += seq;
			i += seq;
			continue;
		}
		if (i + 1 >= len)
			die("lone backslash at the end of the quoted form");
		switch (q[i + 1]) {
		case '\\':
		case '\'':
			out[n++] = q[i + 1];
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 'x':
			if (i + 3 >= len || hex(q[i + 2]) < 0 || hex(q[i + 3]) < 0)
				die("bad \\x escape in the quoted form");
			out[n++] = (unsigned char)(hex(q[i + 2]) << 4 |
			    hex(q[i + 3]));
			i += 2;
			break;
		default:
			die("unknown escape in the quoted form");
		}
		i += 2;
	}
	out[n] = '\0';
	return n;
}

/* hl_quote() into an exact-size buffer of size bytes, against full. */
static void
check_truncated(const char *name, const char *full, size_t need, size_t size)
{
	char	*buf = xmalloc(size);
	size_t	 got, keep;

	got = hl_quote(name, size ? buf : NULL, size);
	if (got != need)
		die("returned length depends on the buffer size");
	if (size > 0) {
		keep = need < size ? need : size - 1;
		if (buf[keep] != '\0' || memcmp(buf, full, keep) != 0)
			die("truncated form is not a terminated prefix");
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nul = memchr(data, '\0', size);
	size_t		 len = nul != NULL ? (size_t)(nul - data) : size;
	size_t		 need, got, n, k;
	char		*name = xmalloc(len + 1), *full;
	unsigned char	*back;

	memcpy(name, data, len);
	name[len] = '\0';
	need = hl_quote(name, NULL, 0);
	full = xmalloc(need + 1);
	got = hl_quote(name, full, need + 1);
	if (got != need || strlen(full) != need)
		die("returned length is not the length written");
	if (need < 2 || full[0] != '\'' || full[need - 1] != '\'')
		die("quoted form is not between single quotes");
	back = xmalloc(need);
	n = check_and_unquote((const unsigned char *)full + 1, need - 2, back);
	if (n != len || memcmp(back, name, len) != 0)
		die("the quoted form does not decode to the name");
	if (need < 48) {
		for (k = 0; k <= need + 1; k++)
			check_truncated(name, full, need, k);
	} else {
		check_truncated(name, full, need, 1);
		check_truncated(name, full, need, need / 2);
		check_truncated(name, full, need, need - 1);
		check_truncated(name, full, need, need);
	}
	free(back);
	free(full);
	free(name);
	return 0;
}
