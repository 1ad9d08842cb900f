#!/usr/bin/env node
/*
 * Generator of netns-tests/golden/http.golden: byte streams of HTTP/1.x
 * connections and the exchanges loader/http/ must report for them.
 *
 * Where messages start, where heads and bodies end, and which bytes are errors
 * is decided by llhttp (the parser inside Node.js, process.binding('http_parser'),
 * strict mode), not by the code under test. On top of that framing this script
 * applies netbpf's documented reporting rules (docs/sniff.md, "Parser"):
 *  - an exchange exists once its request line (ending in LF) is read; a response
 *    without a queued request is an exchange of its own (no_request);
 *  - responses answer queued requests in order; a request is queued when its head
 *    ends or is lost; 1xx heads count in the final response's bytes;
 *  - an error makes the message malformed, its bytes counted up to the end of
 *    the line holding the error (netbpf reads whole lines); without that LF the
 *    stream ends first: gap. After an error a direction resumes only at a later
 *    segment that starts like a message;
 *  - at the end, incomplete messages are gap, requests without a final status
 *    no_response; Content-Length with Transfer-Encoding is ambiguous.
 * Where netbpf follows the RFC and strict llhttp refuses (obs-fold, identical
 * duplicate Content-Length, CL+TE), llhttp frames a same-length copy with the
 * construct neutralised (fold -> spaces, the extra header renamed) and the flag
 * is added by rule.
 *
 *   node netns-tests/golden/gen.js > netns-tests/golden/http.golden
 */
'use strict';
process.noDeprecation = true;
const { HTTPParser, methods } = process.binding('http_parser');

const MAX_LINE = 1024; /* the golden runner's limits.max_line */
const PATH_MAX = 511;

const streams = [];
const add = (name, segs, opt = {}) => streams.push({ name, segs, ...opt });
const C = (s) => ['>', s];
const S = (s) => ['<', s];

/* ---------- the table ---------- */
const get = (path, extra = '') => `GET ${path} HTTP/1.1\r\nHost: h\r\n${extra}\r\n`;
const ok = (body, extra = '') =>
	`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;
const chunked = (chunks, trailer = '') =>
	chunks.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('') + `0\r\n${trailer}\r\n`;

add('get', [C(get('/')), S(ok('hello'))]);
add('get_no_host', [C('GET /a HTTP/1.1\r\n\r\n'), S(ok('x'))]);
add('get_query', [C(get('/search?q=1&page=2')), S(ok(''))]);
add('head', [C('HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n'), S('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n')]);
add('head_then_get', [C('HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n' + get('/g')),
	S('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n' + ok('abc'))]);
add('status_204', [C('DELETE /d HTTP/1.1\r\nHost: h\r\n\r\n'), S('HTTP/1.1 204 No Content\r\n\r\n')]);
add('status_204_cl', [C(get('/')), S('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n')]);
add('status_304', [C(get('/c', 'If-None-Match: "x"\r\n')),
	S('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\nContent-Length: 10\r\n\r\n')]);
add('status_404', [C(get('/missing')), S('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found')]);
add('status_no_reason', [C(get('/')), S('HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n')]);
add('keepalive_3', [C(get('/1')), S(ok('one')), C(get('/2')), S(ok('two')), C(get('/3')), S(ok('three'))]);
add('pipeline_3', [C(get('/1') + get('/2') + get('/3')), S(ok('one') + ok('two') + ok('three'))]);
add('pipeline_split', [C(get('/1') + get('/2').slice(0, 10)), C(get('/2').slice(10)),
	S(ok('one')), S(ok('two').slice(0, 7)), S(ok('two').slice(7))]);
add('pipeline_16', [C(Array.from({ length: 16 }, (_, i) => get(`/p${i}`)).join('')),
	S(Array.from({ length: 16 }, (_, i) => ok(`r${i}`)).join(''))]);
add('pipeline_unanswered', [C(get('/1') + get('/2') + get('/3')), S(ok('one'))]);
add('post_cl', [C('POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world'), S(ok('ok'))]);
add('post_cl_zero', [C('POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n'), S(ok('ok'))]);
add('post_cl_ows', [C('POST /f HTTP/1.1\r\nHost: h\r\nContent-Length:   5  \r\n\r\nhello'), S(ok(''))]);
add('put_no_body', [C('PUT /x HTTP/1.1\r\nHost: h\r\n\r\n'), S(ok(''))]);
add('options_star', [C('OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n'), S('HTTP/1.1 200 OK\r\nAllow: GET\r\nContent-Length: 0\r\n\r\n')]);
add('patch', [C('PATCH /p HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}'), S(ok('{}'))]);
add('trace', [C('TRACE / HTTP/1.1\r\nHost: h\r\n\r\n'), S(ok('TRACE / HTTP/1.1'))]);
add('absolute_target', [C('GET http://example.com/x?y=1 HTTP/1.1\r\nHost: example.com\r\n\r\n'), S(ok('p'))]);
add('resp_chunked', [C(get('/c')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + chunked(['hello', ' world']))]);
add('resp_chunked_ext', [C(get('/c')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
	'5;name=value\r\nhello\r\n6;a;b="q"\r\n world\r\n0;last\r\n\r\n')]);
add('resp_chunked_trailers', [C(get('/c')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n' +
	chunked(['abc'], 'X-Sum: 1\r\nX-More: 2\r\n'))]);
add('resp_chunked_upper_hex', [C(get('/c')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
	'A\r\n0123456789\r\n0\r\n\r\n')]);
add('resp_chunked_leading_zeros', [C(get('/c')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
	'0005\r\nhello\r\n0\r\n\r\n')]);
add('resp_chunked_then_next', [C(get('/1') + get('/2')),
	S('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + chunked(['a', 'bb']) + ok('second'))]);
add('req_chunked', [C('POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n' + chunked(['part1', 'part22'])), S(ok('ok'))]);
add('req_chunked_trailer', [C('POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n' + chunked(['x'], 'T: 1\r\n')), S(ok('ok'))]);
add('te_case', [C(get('/')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\n\r\n' + chunked(['abc']))]);
add('te_gzip_chunked', [C(get('/')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n' + chunked(['zz']))]);
add('te_chunked_gzip_resp', [C(get('/')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n')]);
add('te_gzip_resp', [C(get('/')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nbinarybytes')]);
add('te_chunked_gzip_req', [C('POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n')]);
add('te_two_fields_resp', [C(get('/')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\nrest')]);
add('cl_te_req', [C('POST /s HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n' + chunked(['abcdef'])), S(ok('ok'))]);
add('te_cl_req', [C('POST /s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 100\r\n\r\n' + chunked(['abcdef'])), S(ok('ok'))]);
add('cl_te_resp', [C(get('/')), S('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n' + chunked(['hello']))]);
add('cl_dup_same', [C('POST /d HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello'), S(ok(''))]);
add('cl_dup_differ', [C('POST /d HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'), S(ok(''))]);
add('cl_dup_differ_resp', [C(get('/')), S('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc')]);
add('cl_negative', [C('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n')]);
add('cl_hex', [C('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n')]);
add('cl_overflow', [C('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n')]);
add('cl_plus', [C(get('/')), S('HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello')]);
add('expect_100', [C('POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n'),
	S('HTTP/1.1 100 Continue\r\n\r\n'), C('data'), S(ok('done'))]);
add('interim_103_100', [C(get('/')), S('HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n' + ok('x'))]);
add('interim_only', [C(get('/')), S('HTTP/1.1 100 Continue\r\n\r\n')]);
add('http10_close', [C('GET /old HTTP/1.0\r\n\r\n'), S('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end')]);
add('http10_cl_keepalive', [C('GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'),
	S('HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok'),
	C('GET /b HTTP/1.0\r\n\r\n'), S('HTTP/1.0 200 OK\r\n\r\nclosed')]);
add('http11_close_delimited', [C(get('/')), S('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody bytes')]);
add('leading_crlf', [C('\r\n\r\n' + get('/')), S(ok('x'))]);
add('leading_crlf_resp', [C(get('/')), S('\r\n' + ok('x'))]);
add('folded_plain', [C('GET /f HTTP/1.1\r\nHost: h\r\nX-Long: first\r\n  second\r\n\tthird\r\n\r\n'), S(ok(''))]);
add('folded_auth', [C('GET /f HTTP/1.1\r\nHost: h\r\nAuthorization: Digest username="u",\r\n response="secret"\r\n\r\n'), S(ok(''))]);
add('folded_cookie_resp', [C(get('/')), S('HTTP/1.1 200 OK\r\nSet-Cookie: a=1;\r\n b=2\r\nContent-Length: 1\r\n\r\nx')]);
add('folded_first', [C('GET /f HTTP/1.1\r\n X: y\r\nHost: h\r\n\r\n'), S(ok(''))]);
add('folded_cl', [C('POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n 5\r\n\r\nhello'), S(ok(''))]);
add('bad_header_name_space', [C('GET / HTTP/1.1\r\nBad Name: x\r\n\r\n'), S(ok(''))]);
add('bad_header_name_colon_space', [C('GET / HTTP/1.1\r\nHost : h\r\n\r\n'), S(ok(''))]);
add('bad_header_name_char', [C('GET / HTTP/1.1\r\nX(y): z\r\n\r\n'), S(ok(''))]);
add('bad_header_no_colon', [C('GET / HTTP/1.1\r\nHost h\r\n\r\n'), S(ok(''))]);
add('header_token_chars', [C("GET / HTTP/1.1\r\nHost: h\r\nX-!#$%&'*+.^_`|~9: v\r\n\r\n"), S(ok(''))]);
add('empty_header_value', [C('GET / HTTP/1.1\r\nHost: h\r\nX-Empty:\r\n\r\n'), S(ok(''))]);
add('bad_chunk_size', [C(get('/')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n')]);
add('bad_chunk_size_req', [C('POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n'), S('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')]);
add('chunk_size_empty', [C(get('/')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n')]);
add('chunk_size_huge', [C(get('/')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + 'F'.repeat(40) + '\r\n')]);
add('chunk_size_negative', [C(get('/')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n')]);
add('chunk_missing_crlf', [C(get('/')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n')]);
add('chunk_cut', [C(get('/')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\nonly a little')]);
add('bad_status_line', [C(get('/')), S('HTTP/1.1 abc OK\r\n\r\n')]);
add('bad_status_code_2', [C(get('/')), S('HTTP/1.1 20 OK\r\n\r\n')]);
add('bad_request_version', [C('GET / HTTP/1.A\r\nHost: h\r\n\r\n'), S(ok(''))]);
add('bad_request_protocol', [C('GET / HTP/1.1\r\nHost: h\r\n\r\n')]);
add('te_gzip_req', [C('POST /g HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\nabc'), S('HTTP/1.1 400 Bad\r\nContent-Length: 0\r\n\r\n')]);
add('te_gzip_then_chunked_req', [C('POST /g HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nzz\r\n0\r\n\r\n'), S(ok(''))]);
add('bad_request_lowercase', [C('get / HTTP/1.1\r\nHost: h\r\n\r\n')]);
add('bad_then_resync', [C('GET / HTTP/1.1\r\nBad Name: x\r\n\r\n'), S('HTTP/1.1 400 Bad\r\nContent-Length: 0\r\n\r\n'),
	C(get('/after')), S(ok('fine'))]);
add('junk_request', [C('\x00\x01\x02\xff\xfe binary junk \x80\x81\r\n\x7f')]);
add('junk_request_nolf', [C('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03')]);
add('junk_response', [C(get('/')), S('\x00\x01\x02\xff\xfe\r\n')]);
add('junk_after_response', [C(get('/')), S(ok('a') + 'garbage here\r\n')]);
add('junk_then_request', [C('\x00\x01junk\r\n'), C(get('/x')), S(ok('x'))]);
add('response_only', [S(ok('orphan'))]);
add('two_responses_only', [S(ok('a') + ok('bb'))]);
add('response_before_request', [S(ok('early')), C(get('/late'))]);
add('request_only', [C(get('/'))]);
add('request_head_cut', [C('GET /cut HTTP/1.1\r\nHost: h\r\nX-Partial: ab')]);
add('request_line_cut', [C('GET /cut HTT')]);
add('request_body_cut', [C('POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nonly part')]);
add('response_head_cut', [C(get('/')), S('HTTP/1.1 200 OK\r\nContent-Len')]);
add('response_body_cut', [C(get('/')), S('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort')]);
add('status_line_cut', [C(get('/')), S('HTTP/1.1 20')]);
add('long_header_line', [C(`GET /l HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(3000)}\r\nX-After: 1\r\n\r\n`), S(ok('x'))]);
add('long_header_line_resp', [C(get('/')), S(`HTTP/1.1 200 OK\r\nX-Big: ${'b'.repeat(5000)}\r\nContent-Length: 2\r\n\r\nok`)]);
add('long_target', [C(`GET /${'p'.repeat(600)} HTTP/1.1\r\nHost: h\r\n\r\n`), S(ok(''))]);
add('long_host', [C(`GET / HTTP/1.1\r\nHost: ${'h'.repeat(200)}\r\n\r\n`), S(ok(''))]);
add('many_headers', [C('GET /m HTTP/1.1\r\nHost: h\r\n' +
	Array.from({ length: 60 }, (_, i) => `X-Header-${i}: value-${i}-${'v'.repeat(20)}\r\n`).join('') + '\r\n'), S(ok(''))]);
add('long_body', [C(get('/')), S(ok('z'.repeat(20000)))]);
add('big_chunks', [C(get('/')), S('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + chunked(['q'.repeat(5000), 'r'.repeat(3000)]))]);
add('connect_200', [C('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'),
	S('HTTP/1.1 200 Connection Established\r\n\r\n'), C('\x16\x03\x01 tls bytes'), S('\x16\x03\x03 more tls')]);
add('connect_refused', [C('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'),
	S('HTTP/1.1 403 Forbidden\r\nContent-Length: 6\r\n\r\ndenied')]);
add('upgrade_101', [C('GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),
	S('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello'),
	C('\x81\x85maskdata')]);
add('crlf_between_pipelined', [C(get('/1') + '\r\n' + get('/2')), S(ok('1') + ok('2'))]);
add('segments_bytewise', [...Array.from(get('/b'), (ch) => C(ch)), ...Array.from(ok('bytes'), (ch) => S(ch))]);
add('body_binary', [C('POST /bin HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\n\x00\xff\r\n\x01\x02'), S(ok('\x00\x00'))]);

/* Cut at every byte: one conversation ended after each of its bytes. */
function cuts(base, req, resp) {
	const all = req + resp;

	for (let k = 1; k < all.length; k++) {
		const segs = k <= req.length ? [C(req.slice(0, k))] : [C(req), S(resp.slice(0, k - req.length))];
		add(`${base}_cut${k}`, segs);
	}
}
cuts('chunked_post', 'POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nabcd\r\n0\r\nT: v\r\n\r\n',
	'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok');
cuts('keepalive', get('/a'), 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
cuts('close_delimited', 'GET /c HTTP/1.0\r\n\r\n', 'HTTP/1.0 200 OK\r\n\r\nuntil close');

/* ---------- llhttp framing ---------- */

/* Same-length copies that strict llhttp accepts, for what netbpf accepts by RFC:
 * obs-fold after a field other than a framing one becomes spaces (folds of framing
 * fields, or before any field, stay errors in both). */
function unfold(bytes) {
	let folded = false;
	const fixed = bytes.replace(/\r\n([ \t])/g, (m, ws, off) => {
		let lineStart = bytes.lastIndexOf('\n', off - 1) + 1;
		while (lineStart > 0 && (bytes[lineStart] === ' ' || bytes[lineStart] === '\t'))
			lineStart = bytes.lastIndexOf('\n', lineStart - 2) + 1;
		const field = bytes.slice(lineStart, off);
		if (/^(content-length|transfer-encoding)\s*:/i.test(field) || !/^[^ \t:]+:/.test(field))
			return m;
		folded = true;
		return '  ' + ws;
	});
	return { fixed, folded };
}

/* Content-Length beside Transfer-Encoding, and repeats of one same Content-Length,
 * are refused by strict llhttp: the Content-Length fields of that head get renamed
 * (TE frames such a message in netbpf; the repeats agree). */
function neutralise(type, bytes) {
	let { fixed, folded } = unfold(bytes);
	for (let tries = 0; tries < 50; tries++) {
		const hooks = { msgs: [], head: () => 0, done: () => {} };
		let from = 0, err = null;
		do {
			err = frame(type, bytes, fixed, from, hooks);
			if (err && !['HPE_INVALID_TRANSFER_ENCODING', 'HPE_UNEXPECTED_CONTENT_LENGTH', 'HPE_INVALID_CONTENT_LENGTH'].includes(err.code))
				from = -1; /* a real error: no resync needed to find neutralisable ones later */
		} while (false);
		if (!err || from < 0)
			return { fixed, folded };
		const headEnd = fixed.indexOf('\r\n\r\n', err.start);
		const head = fixed.slice(err.start, headEnd < 0 ? fixed.length : headEnd);
		const cls = [...head.matchAll(/\r\ncontent-length:([^\r\n]*)/gi)];
		if (!cls.length)
			return { fixed, folded };
		const te = /\r\ntransfer-encoding:/i.test(head);
		if (!te && (err.code !== 'HPE_UNEXPECTED_CONTENT_LENGTH' || new Set(cls.map((c) => c[1].trim())).size > 1))
			return { fixed, folded }; /* a bad or conflicting value: an error for both */
		const keep = te ? 0 : 1;
		let h = head;
		cls.slice(keep).forEach((c) => {
			h = h.slice(0, c.index) + '\r\nContent-Lengtx:' + h.slice(c.index + 17);
		});
		fixed = fixed.slice(0, err.start) + h + fixed.slice(err.start + head.length);
	}
	throw new Error('neutralise: no fixed point');
}

/*
 * Messages of one direction, framed by llhttp from byte `from` on; hooks see each
 * message at the end of its head (returns 1 to skip a body: HEAD) and at its end
 * (complete, or error). m: start, lineEnd (after the first LF), headEnd, end, error,
 * errLineEnd, raw (head bytes as sent), llhttp's method/url/status/headers.
 */
function frame(type, bytes, fixed, from, hooks) {
	const p = new HTTPParser();
	let cur = null, off = 0, stopped = false;
	const begin = () => {
		cur = { start: from + off };
		const lf = bytes.indexOf('\n', cur.start);
		cur.lineEnd = lf < 0 ? null : lf + 1;
		hooks.msgs.push(cur);
	};

	p[HTTPParser.kOnMessageBegin] = begin;
	let early = [], earlyUrl = '';
	/* More than 32 fields arrive in parts before the head's end. */
	p[HTTPParser.kOnHeaders] = (headers, url) => {
		early = early.concat(headers);
		earlyUrl += url;
	};
	p[HTTPParser.kOnHeadersComplete] = (maj, min, headers, method, url, status, msg, upgrade) => {
		headers = headers ? early.concat(headers) : early;
		url = url === undefined && earlyUrl ? earlyUrl : (earlyUrl + (url ?? '')) || url;
		early = [];
		earlyUrl = '';
		Object.assign(cur, { headEnd: from + off + 1, method: methods[method], url, status, headers, upgrade });
		cur.raw = bytes.slice(cur.start, cur.headEnd);
		return hooks.head(cur) ? 1 : 0;
	};
	p[HTTPParser.kOnMessageComplete] = () => {
		cur.end = from + off + 1;
		if (cur.upgrade)
			stopped = true;
		hooks.done(cur);
		cur = null;
	};
	p.initialize(type, {}, 1 << 24, 0);
	const buf = Buffer.from(fixed.slice(from), 'latin1');
	for (off = 0; off < buf.length && !stopped; off++) {
		const r = p.execute(buf.subarray(off, off + 1));
		if (r instanceof Error) {
			if (!cur)
				begin();
			cur.error = from + off;
			cur.code = r.code;
			const el = bytes.indexOf('\n', cur.error);
			cur.errLineEnd = el < 0 ? null : el + 1;
			cur.raw = cur.raw ?? bytes.slice(cur.start, cur.errLineEnd ?? bytes.length);
			hooks.done(cur);
			return cur;
		}
	}
	if (cur && !stopped) {
		off = buf.length - 1;
		p.finish(); /* completes a close-delimited body */
		if (cur && cur.end === undefined) {
			cur.raw = cur.raw ?? bytes.slice(cur.start);
			hooks.done(cur); /* cut by the end of the stream */
		}
	}
	return null;
}

function hdr(m, name) {
	let v = null;
	for (let i = 0; m.headers && i < m.headers.length; i += 2)
		if (m.headers[i].toLowerCase() === name)
			v = m.headers[i + 1];
	return v;
}

function isStart(s, dir) {
	if (dir === '<')
		return s.startsWith('HTTP/1.');
	return /^(GET|POST|PUT|HEAD|DELETE|OPTIONS|PATCH|CONNECT|TRACE) /.test(s);
}

/* One direction with netbpf's resync rule: after an error, the next segment that
 * starts like a message, if any. Returns whether a resync happened. */
function direction(dir, d, hooks) {
	const type = dir === '>' ? HTTPParser.REQUEST : HTTPParser.RESPONSE;
	const n = neutralise(type, d.bytes);
	let from = 0, resync = false;

	hooks.folded = n.folded;
	for (;;) {
		const err = frame(type, d.bytes, n.fixed, from, hooks);
		if (!err)
			return resync;
		if (err.errLineEnd === null)
			return resync;
		const next = d.starts.find((s) => s >= err.errLineEnd && isStart(d.bytes.slice(s), dir));
		if (next === undefined)
			return resync;
		from = next;
		resync = true;
	}
}

const hasLine = (m) => m.lineEnd !== null && !(m.error !== undefined && m.error < m.lineEnd);

/* ---------- netbpf's reporting rules over that framing ---------- */

function expect(st) {
	const dirs = { '>': { bytes: '', starts: [], times: [] }, '<': { bytes: '', starts: [], times: [] } };
	st.segs.forEach(([d, s], i) => {
		dirs[d].starts.push(dirs[d].bytes.length);
		for (let k = 0; k < s.length; k++)
			dirs[d].times.push(i * 1e6 + k); /* global order of each byte */
		dirs[d].bytes += s;
	});
	const time = (d, off) => dirs[d].times[off - 1]; /* when the byte before off arrived */
	const END = Infinity;
	const exs = [], queue = [];
	let reported = [];

	/* Requests: an exchange once the request line is read, queued when its head ends
	 * (or is lost): a response can only answer it after that. */
	const reqHooks = { msgs: [], head: () => 0, done: () => {} };
	const reqResync = direction('>', dirs['>'], reqHooks);
	for (const m of reqHooks.msgs) {
		if (!hasLine(m))
			continue;
		const ex = { method: m.method ?? m.raw.split(' ')[0], target: m.url ?? m.raw.split(' ')[1],
			host: hdr(m, 'host'), status: 0, flags: new Set(), req: m, resps: [] };
		if (!m.headers) {
			const h = /\r\nhost:[ \t]*([^\r\n]*?)[ \t]*\r\n/i.exec(m.raw);
			ex.host = h ? h[1] : null;
		}
		if (m.error !== undefined)
			ex.flags.add('malformed');
		ex.queued = m.headEnd ? time('>', m.headEnd) : m.errLineEnd ? time('>', m.errLineEnd) : END;
		ex.folded = reqHooks.folded && /\r\n[ \t]/.test(m.raw);
		exs.push(ex);
	}
	const pending = exs.slice();
	const pair = (m) => {
		if (m.paired || !hasLine(m))
			return m.paired;
		const t = time('<', m.lineEnd);
		while (pending.length && pending[0].queued < t)
			queue.push(pending.shift());
		let ex = queue[0];
		if (!ex) {
			ex = { method: null, target: null, host: null, status: 0, flags: new Set(['no_request']), req: null, resps: [] };
			exs.push(ex);
			ex.orphan = true;
		}
		ex.status = m.status || Number(m.raw.slice(9, 12));
		ex.resps.push(m);
		m.paired = ex;
		return ex;
	};
	const respHooks = {
		msgs: [],
		head: (m) => {
			const ex = pair(m);
			return ex.method === 'HEAD' || (ex.method === 'CONNECT' && m.status >= 200 && m.status < 300);
		},
		done: (m) => {
			const ex = pair(m);
			if (!ex)
				return;
			if (m.end === undefined && m.error === undefined)
				return; /* in progress when the stream ends: reported first at the end */
			const interim = ex.status >= 100 && ex.status < 200 && ex.status !== 101 && m.error === undefined;
			if (interim)
				return;
			if (ex === queue[0])
				queue.shift();
			if (m.error !== undefined)
				ex.flags.add('malformed');
			ex.answered = true;
			reported.push(ex);
		},
	};
	const respResync = direction('<', dirs['<'], respHooks);
	respHooks.folded && respHooks.msgs.forEach((m) => { if (m.paired && /\r\n[ \t]/.test(m.raw)) m.paired.folded = true; });

	/* The end: the response in progress, then what is still queued or never was. */
	const rest = exs.filter((ex) => !ex.answered);
	rest.sort((a, b) => {
		const prog = (ex) => ex.resps.some((m) => m.end === undefined && m.error === undefined) ? 0 : 1;
		return prog(a) - prog(b);
	});
	reported = [...reported, ...rest];

	for (const ex of reported) {
		const size = (m, d) => {
			const len = dirs[d].bytes.length;
			let end, cut = false;
			if (m.error !== undefined) {
				end = m.errLineEnd ?? len;
				cut = m.errLineEnd === null;
			} else if (m.end !== undefined) {
				end = m.end;
			} else {
				end = len;
				cut = true;
			}
			return { bytes: end - m.start, body: m.headEnd && end > m.headEnd ? end - m.headEnd : 0, cut };
		};
		ex.reqBytes = ex.reqBody = ex.respBytes = ex.respBody = 0;
		const msgs = [];
		if (ex.req) {
			const s = size(ex.req, '>');
			ex.reqBytes = s.bytes;
			ex.reqBody = s.body;
			if (s.cut)
				ex.flags.add('gap');
			msgs.push(ex.req);
		}
		for (const m of ex.resps) {
			const s = size(m, '<');
			ex.respBytes += s.bytes;
			ex.respBody = s.body;
			if (s.cut)
				ex.flags.add('gap');
			msgs.push(m);
		}
		for (const m of msgs) {
			const cls = (m.raw.match(/\r\ncontent-length:[^\r\n]*/gi) || []).map((x) => x.split(':')[1].trim());
			if (/\r\ntransfer-encoding:/i.test(m.raw) && cls.length)
				ex.flags.add('ambiguous');
			if (new Set(cls).size > 1)
				ex.flags.add('ambiguous');
		}
		if (ex.folded)
			ex.flags.add('folded');
		if (ex.req && (ex.status === 0 || (ex.status < 200 && ex.status !== 101)))
			ex.flags.add('no_response');
		truncation(ex);
	}
	return { exs: reported, resync: reqResync || respResync };
}

function truncation(ex) {
	const raws = [ex.req && ex.req.raw, ...ex.resps.map((m) => m.raw)].filter(Boolean);
	for (const raw of raws)
		for (const line of raw.split('\n'))
			if (line.length > MAX_LINE)
				ex.flags.add('truncated');
	if (ex.target && ex.target.length > PATH_MAX)
		ex.flags.add('truncated');
	if (ex.host && ex.host.length > 127)
		ex.flags.add('truncated');
	const kept = (m) => {
		let n = 0;
		for (let i = 0; m && m.headers && i < m.headers.length; i += 2)
			n += m.headers[i].length + 2 + Math.min(m.headers[i + 1].length, MAX_LINE) + 1;
		return n;
	};
	if (kept(ex.req) > 2040 || ex.resps.some((m) => kept(m) > 2040))
		ex.flags.add('truncated');
}

/* ---------- output ---------- */
const FLAGS = ['no_response', 'no_request', 'gap', 'truncated', 'malformed', 'ambiguous', 'folded', 'no_memory'];

function esc(s) {
	if (s === null || s === undefined || s === '')
		return '-';
	if (s === '-')
		return '\\x2d';
	return Array.from(s, (ch) => {
		const c = ch.charCodeAt(0);
		if (ch === '\\') return '\\\\';
		if (c <= 0x20 || c >= 0x7f) return '\\x' + c.toString(16).padStart(2, '0');
		return ch;
	}).join('');
}

function printable(s, max) {
	if (s === null || s === undefined)
		return s;
	return Array.from(s.slice(0, max), (ch) => (ch >= ' ' && ch < '\x7f' ? ch : '?')).join('');
}

const out = [];
out.push('# Generated by netns-tests/golden/gen.js from llhttp ' + process.versions.llhttp +
	' (Node.js ' + process.version + '); do not edit.');
out.push('# stream NAME [resync]   > client bytes   < server bytes   x METHOD TARGET HOST STATUS');
out.push('#   REQ_BYTES REQ_BODY RESP_BYTES RESP_BODY FLAGS   end');
for (const st of streams) {
	const { exs, resync } = expect(st);
	out.push(`stream ${st.name}${resync ? ' resync' : ''}`);
	for (const [d, s] of st.segs)
		out.push(`${d} ${esc(s)}`);
	for (const ex of exs) {
		const flags = FLAGS.filter((f) => ex.flags.has(f));
		out.push(['x', esc(printable(ex.method, 15)), esc(printable(ex.target, PATH_MAX)),
			esc(printable(ex.host, 127)), ex.status, ex.reqBytes, ex.reqBody, ex.respBytes,
			ex.respBody, flags.length ? flags.join(',') : '-'].join(' '));
	}
	out.push('end');
}
process.stdout.write(out.join('\n') + '\n');
