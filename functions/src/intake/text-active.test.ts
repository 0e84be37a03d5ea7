import { describe, expect, it } from 'vitest';
import { text } from './test-support/corpus.js';
import { looksLikePageOrScript } from './text-active.js';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('looksLikePageOrScript', () => {
  it.each([
    '<!doctype html><title>x</title>',
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN">',
    '  \r\n\t<html lang="en">',
    '\ufeff<HTML>',
    '<head>\n',
    '<script>alert(1)</script>',
    '<iframe src="https://example.com">',
    '<body onload="x()">',
    '<p>Hello',
    '<b>Important</b>',
    '<br/>',
    '<!-- a comment -->',
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">',
    '<SVG>',
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN">',
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
    '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    '<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="x.xsl"?>\n<doc/>',
    '#!/bin/sh\nrm -rf ~\n',
    '#!/usr/bin/env python3\n',
    '@echo off\r\ndel /q *\r\n',
    '  @ECHO OFF\r\n',
    '<?php system($_GET["c"]);',
  ])('refuses %j', (content) => {
    expect(looksLikePageOrScript(utf8(content))).toBe(true);
  });

  it.each([
    text(),
    'Meeting notes: the <script> tag was discussed.\n',
    '<3 thanks for everything',
    '<abc> is not a tag browsers sniff',
    '<bold claim>',
    '#hashtag and #! later',
    '@echoes of the past',
    '<?xml version="1.0"?>\n<invoice><total currency="EUR">3.00</total></invoice>\n',
    'html, svg and script are just words here',
  ])('accepts %j', (content) => {
    expect(looksLikePageOrScript(typeof content === 'string' ? utf8(content) : content)).toBe(false);
  });

  it('looks only at the first kilobyte', () => {
    expect(looksLikePageOrScript(utf8(`${' '.repeat(2000)}<html>`))).toBe(false);
    expect(looksLikePageOrScript(utf8(`<?xml version="1.0"?>\n<doc>${'x'.repeat(2000)}<svg/></doc>`))).toBe(
      false,
    );
  });
});
