import React, { useEffect, useRef, useState } from 'react';
import { Box, H2, MessageBox, Text } from '@adminjs/design-system';
import { useTranslation } from 'adminjs';
import { api, messageOf } from './api.js';

interface Point {
  id: string;
  latitude: number;
  longitude: number;
  timestamp: string;
}

const TILE = 256;
/** Web Mercator: longitude and latitude → world pixels at zoom z. */
const project = (lat: number, lon: number, z: number) => {
  const scale = TILE * 2 ** z;
  const sin = Math.sin((Math.max(-85, Math.min(85, lat)) * Math.PI) / 180);
  return {
    x: ((lon + 180) / 360) * scale,
    y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * scale,
  };
};

/** The largest zoom at which every point fits the canvas (with a margin). */
function fitZoom(points: Point[], width: number, height: number): number {
  for (let z = 16; z > 0; z -= 1) {
    const xs = points.map((p) => project(p.latitude, p.longitude, z));
    const w = Math.max(...xs.map((p) => p.x)) - Math.min(...xs.map((p) => p.x));
    const h = Math.max(...xs.map((p) => p.y)) - Math.min(...xs.map((p) => p.y));
    if (w <= width * 0.8 && h <= height * 0.8) return z;
  }
  return 0;
}

/**
 * The newest GPS points on a map: Web Mercator, fitted to the points, the track in time order and the newest
 * point marked. With `admin.map_tile_url` set, map tiles from there lie underneath; without it a grid of
 * meridians and parallels does, and nothing is loaded from elsewhere.
 */
const GpsMap: React.FC = () => {
  const { translateMessage, translateLabel } = useTranslation();
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const [data, setData] = useState<{ points: Point[]; tileUrl: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .getPage({ pageName: 'gpsMap' })
      .then((response) => setData(response.data as { points: Point[]; tileUrl: string | null }))
      .catch((err: unknown) => setError(messageOf(err, translateMessage('actionFailed'))));
  }, []);

  useEffect(() => {
    const el = canvas.current;
    if (!el || !data || data.points.length === 0) return;
    const width = el.clientWidth;
    const height = el.clientHeight;
    el.width = width;
    el.height = height;
    const ctx = el.getContext('2d')!;
    const points = [...data.points].reverse();
    const z = fitZoom(points, width, height);
    const world = points.map((p) => project(p.latitude, p.longitude, z));
    const cx = (Math.min(...world.map((p) => p.x)) + Math.max(...world.map((p) => p.x))) / 2;
    const cy = (Math.min(...world.map((p) => p.y)) + Math.max(...world.map((p) => p.y))) / 2;
    const left = cx - width / 2;
    const top = cy - height / 2;
    const draw = () => {
      ctx.strokeStyle = '#3040d6';
      ctx.lineWidth = 2;
      ctx.beginPath();
      world.forEach((p, i) =>
        i === 0 ? ctx.moveTo(p.x - left, p.y - top) : ctx.lineTo(p.x - left, p.y - top),
      );
      ctx.stroke();
      world.forEach((p, i) => {
        ctx.fillStyle = i === world.length - 1 ? '#d63040' : '#3040d6';
        ctx.beginPath();
        ctx.arc(p.x - left, p.y - top, i === world.length - 1 ? 6 : 3, 0, Math.PI * 2);
        ctx.fill();
      });
    };
    ctx.fillStyle = '#f4f6fa';
    ctx.fillRect(0, 0, width, height);
    if (data.tileUrl) {
      const n = 2 ** z;
      let pending = 0;
      for (let tx = Math.floor(left / TILE); tx <= Math.floor((left + width) / TILE); tx += 1) {
        for (
          let ty = Math.max(0, Math.floor(top / TILE));
          ty <= Math.min(n - 1, Math.floor((top + height) / TILE));
          ty += 1
        ) {
          const image = new Image();
          const x = ((tx % n) + n) % n;
          image.src = data.tileUrl
            .replace('{z}', String(z))
            .replace('{x}', String(x))
            .replace('{y}', String(ty));
          pending += 1;
          image.onload = image.onerror = () => {
            if (image.complete && image.naturalWidth) ctx.drawImage(image, tx * TILE - left, ty * TILE - top);
            pending -= 1;
            if (pending === 0) draw();
          };
        }
      }
    } else {
      // Meridians and parallels at a step that suits the zoom.
      const step = z >= 12 ? 0.01 : z >= 9 ? 0.1 : z >= 6 ? 1 : 10;
      ctx.strokeStyle = '#dde2ee';
      ctx.lineWidth = 1;
      for (let lon = -180; lon <= 180; lon += step) {
        const x = project(0, lon, z).x - left;
        if (x < 0 || x > width) continue;
        ctx.beginPath();
        ctx.moveTo(x, 0);
        ctx.lineTo(x, height);
        ctx.stroke();
      }
      for (let lat = -80; lat <= 80; lat += step) {
        const y = project(lat, 0, z).y - top;
        if (y < 0 || y > height) continue;
        ctx.beginPath();
        ctx.moveTo(0, y);
        ctx.lineTo(width, y);
        ctx.stroke();
      }
      draw();
    }
  }, [data]);

  return (
    <Box variant="grey" data-testid="gps-map">
      <Box variant="container">
        <H2>{translateLabel('gpsMap')}</H2>
        {error ? <MessageBox variant="danger" message={error} /> : null}
        {data && data.points.length === 0 ? <Text>{translateMessage('noPoints')}</Text> : null}
        {data && data.points.length > 0 ? (
          <>
            <Text mb="lg" color="grey60">
              {translateMessage('mapPoints')}: {data.points.length} ·{' '}
              {new Date(data.points[0]!.timestamp).toLocaleString()}
            </Text>
            <canvas
              ref={canvas}
              style={{ width: '100%', height: 420 }}
              role="img"
              aria-label={translateLabel('gpsMap')}
              data-testid="gps-canvas"
            />
          </>
        ) : null}
      </Box>
    </Box>
  );
};

export default GpsMap;
