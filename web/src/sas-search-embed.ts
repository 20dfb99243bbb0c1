/**
 * Entry of `/assets/sas-search.js`: <sas-search> alone, for a page of another origin (an LRM's), with one script tag:
 *
 *   <script type="module" src="https://sas.example.fr/assets/sas-search.js"></script>
 *   <sas-search inseecode="31555" city="Toulouse"></sas-search>
 *
 * It adds the platform's DSFR stylesheets to the page when they are not there yet; the component reads the API of
 * the platform it was loaded from, with the regulator's session (the page's origin must be in EMBED_ORIGINS).
 */
import './sas-search.ts';

const assets = new URL('./', import.meta.url);
for (const file of ['dsfr/dsfr.min.css', 'dsfr/utility/icons/icons.min.css']) {
  const href = new URL(file, assets).href;
  const present = [...document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')].some((link) => link.href === href);
  if (!present) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    document.head.append(link);
  }
}
