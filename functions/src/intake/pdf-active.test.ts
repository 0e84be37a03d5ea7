import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { findPdfActiveContent } from './pdf-active.js';
import { noise, pdf, pdfDocument, pdfObjectStream, pdfStream } from './test-support/corpus.js';

const page = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>';
const pages = '<< /Type /Pages /Kids [3 0 R] /Count 1 >>';
const contents = pdfStream('', 'BT /F1 12 Tf 20 100 Td (Hello) Tj ET');

/** A one-page document whose catalog has `catalogExtra`, and `more` objects numbered from 5. */
function doc(catalogExtra: string, more: string[] = [], trailer = ''): Buffer {
  return pdfDocument(
    [`<< /Type /Catalog /Pages 2 0 R ${catalogExtra} >>`, pages, page, contents, ...more],
    trailer,
  );
}

describe('findPdfActiveContent: ordinary documents', () => {
  it('finds nothing in a plain PDF, one that opens at a page, or one with links', () => {
    expect(findPdfActiveContent(pdf())).toBeUndefined();
    expect(findPdfActiveContent(doc('/OpenAction [3 0 R /Fit]'))).toBeUndefined();
    expect(
      findPdfActiveContent(doc('/OpenAction 5 0 R', ['<< /S /GoTo /D [3 0 R /Fit] >>'])),
    ).toBeUndefined();
    expect(
      findPdfActiveContent(
        doc('', ['<< /Type /Annot /Subtype /Link /A << /S /URI /URI (https://example.com) >> >>']),
      ),
    ).toBeUndefined();
  });

  it('ignores the names in strings and in stream data', () => {
    expect(findPdfActiveContent(doc('/Lang (see /JavaScript and /Launch)'))).toBeUndefined();
    const drawing = pdfStream('', 'BT /JS 12 Tf (/JavaScript /Launch) Tj ET');
    expect(findPdfActiveContent(doc('', [drawing]))).toBeUndefined();
    // Compressed data is never tokenized, whatever bytes it holds.
    const image = pdfStream(
      '/Type /XObject /Subtype /Image /Filter /DCTDecode',
      Buffer.from(' /JS (x) /XFA [] '),
    );
    expect(
      findPdfActiveContent(doc('', [image, pdfStream('/Filter /FlateDecode', noise(50_000))])),
    ).toBeUndefined();
  });

  it('reads benign object streams', () => {
    const stream = pdfObjectStream(['<< /Type /Annot /Subtype /Text >>', '[1 2 3]', '(a string)']);
    expect(findPdfActiveContent(doc('', [stream]))).toBeUndefined();
  });
});

describe('findPdfActiveContent: scripts and launch actions', () => {
  it.each([
    ['an inline /OpenAction JavaScript action', doc('/OpenAction << /S /JavaScript /JS (app.alert(1)) >>')],
    [
      'an /OpenAction reference to one',
      doc('/OpenAction 5 0 R', ['<< /S /JavaScript /JS 6 0 R >>', pdfStream('', 'app.alert(1)')]),
    ],
    [
      'document JavaScript in the name tree',
      doc('/Names << /JavaScript 5 0 R >>', ['<< /Names [(a) 6 0 R] >>', '<< /S /JavaScript /JS (x) >>']),
    ],
    [
      'additional actions on a page',
      pdfDocument([
        '<< /Type /Catalog /Pages 2 0 R >>',
        pages,
        '<< /Type /Page /Parent 2 0 R /AA << /O << /S /JavaScript /JS (x) >> >> >>',
      ]),
    ],
    [
      'a form field calculation',
      doc('/AcroForm << /Fields [5 0 R] >>', [
        '<< /FT /Tx /T (total) /AA << /C << /JS (event.value = 1) >> >> >>',
      ]),
    ],
    ['a hex-escaped name', doc('/OpenAction << /S /J#61vaScript /JS (x) >>')],
    ['an escaped /JS key alone', doc('/OpenAction << /#4aS (x) >>')],
    ['names in another case', doc('/OpenAction << /S /javascript >>')],
    ['a 3D script', doc('', [pdfStream('/Type /3D /Subtype /U3D /OnInstantiate 6 0 R', 'U3D')])],
    ['a media action carrying a script', doc('/OpenAction << /S /Rendition /OP 4 /JS (x) >>')],
  ])('finds JavaScript: %s', (_label, bytes) => {
    expect(findPdfActiveContent(bytes)).toBe('javascript');
  });

  it('finds launch, media and XFA, launch first', () => {
    expect(findPdfActiveContent(doc('/OpenAction << /S /Launch /F (calc.exe) >>'))).toBe('launch');
    expect(findPdfActiveContent(doc('/OpenAction << /S /L#61unch /Win << /F (cmd.exe) >> >>'))).toBe(
      'launch',
    );
    expect(findPdfActiveContent(doc('/OpenAction << /S /Rendition /OP 0 /AN 5 0 R >>'))).toBe('rendition');
    expect(
      findPdfActiveContent(doc('/AcroForm << /Fields [] /XFA 5 0 R >>', [pdfStream('', '<xdp/>')])),
    ).toBe('xfa');
    expect(findPdfActiveContent(doc('/OpenAction << /S /JavaScript /JS (x) /Next << /S /Launch >> >>'))).toBe(
      'launch',
    );
  });

  it('reads each object on its own, so a broken one or a fake stream keyword hides nothing', () => {
    expect(findPdfActiveContent(doc('/Lang (never closed', ['<< /S /JavaScript /JS (x) >>']))).toBe(
      'javascript',
    );
    expect(
      findPdfActiveContent(doc('/Lang (>>stream\n) /OpenAction << /S /JavaScript >> /Mark (endstream)')),
    ).toBe('javascript');
  });

  it('finds actions in the trailer and after the last object', () => {
    expect(findPdfActiveContent(doc('', [], '/Info << /S /Launch >>'))).toBe('launch');
  });
});

describe('findPdfActiveContent: object streams', () => {
  const script = '<< /S /JavaScript /JS (app.alert(1)) >>';

  it('inflates them and reads their objects', () => {
    expect(findPdfActiveContent(doc('/OpenAction 101 0 R', [pdfObjectStream(['<< /A 1 >>', script])]))).toBe(
      'javascript',
    );
    expect(findPdfActiveContent(doc('', [pdfObjectStream([script], { filter: '' })]))).toBe('javascript');
    expect(
      findPdfActiveContent(
        doc('', [
          pdfObjectStream([script], {
            filter: '[/FlateDecode /Fl]',
            data: (p) => deflateSync(deflateSync(p)),
          }),
        ]),
      ),
    ).toBe('javascript');
  });

  it('takes any stream with /N and /First for one, and spelled names too', () => {
    expect(findPdfActiveContent(doc('', [pdfObjectStream([script], { dictionary: '-Type' })]))).toBe(
      'javascript',
    );
    expect(
      findPdfActiveContent(
        doc('', [pdfObjectStream([script], { filter: '/Fl#61teDecode', data: (p) => deflateSync(p) })]),
      ),
    ).toBe('javascript');
  });

  it('reads every object from its own offset, as readers do', () => {
    const hiding = pdfObjectStream(['(never closed', script]);
    expect(findPdfActiveContent(doc('', [hiding]))).toBe('javascript');
  });

  it('refuses object streams it cannot decode', () => {
    for (const options of [
      { filter: '/LZWDecode' },
      { filter: '[/ASCII85Decode /FlateDecode]' },
      { filter: '7 0 R' },
      { dictionary: '/DecodeParms << /Predictor 12 /Columns 5 >>' },
      { dictionary: '/DecodeParms 8 0 R' },
    ]) {
      expect(
        findPdfActiveContent(doc('', [pdfObjectStream(['<< >>'], options)])),
        JSON.stringify(options),
      ).toBe('uncheckable');
    }
    expect(
      findPdfActiveContent(
        doc('', [pdfObjectStream(['<< >>'], { dictionary: '/DecodeParms << /Predictor 1 >>' })]),
      ),
    ).toBeUndefined();
  });

  it('calls an object stream that does not inflate damaged', () => {
    expect(findPdfActiveContent(doc('', [pdfObjectStream(['<< >>'], { data: () => noise(300) })]))).toBe(
      'damaged',
    );
  });

  it('refuses object streams in an encrypted file, whose bytes it cannot read', () => {
    const encrypt = '<< /Filter /Standard /V 4 /R 4 /O <00> /U <00> /P -4 >>';
    expect(findPdfActiveContent(doc('', [encrypt, pdfObjectStream(['<< >>'])], '/Encrypt 5 0 R'))).toBe(
      'encrypted',
    );
    // Without object streams the dictionaries of an encrypted file are plain text.
    expect(findPdfActiveContent(doc('', [encrypt], '/Encrypt 5 0 R'))).toBeUndefined();
    expect(
      findPdfActiveContent(doc('/OpenAction << /S /JavaScript /JS <a1b2> >>', [encrypt], '/Encrypt 5 0 R')),
    ).toBe('javascript');
  });

  it('stops inflating at 64 MB and lexing at its budget', () => {
    const bomb = pdfObjectStream(['<< >>'], {
      data: () => deflateSync(Buffer.alloc(65 * 1024 * 1024, 0x20)),
    });
    expect(findPdfActiveContent(doc('', [bomb]))).toBe('uncheckable');
    const tangle = Buffer.concat([
      Buffer.from('%PDF-1.7\n' + '1 0 obj (\n'.repeat(2000), 'latin1'),
      Buffer.alloc(200_000, 'a'),
      Buffer.from('\n%%EOF\n'),
    ]);
    expect(findPdfActiveContent(tangle)).toBe('uncheckable');
  });
});
