// The part every page shares: the skip link and the site header with its navigation, written
// once here (<site-header></site-header> in each page) rather than copied into every HTML file.
class SiteHeader extends HTMLElement {
  connectedCallback() {
    this.innerHTML = `<a class="skip" href="#main">Skip to content</a>
      <header class="site"><a class="brand" href="/">boxoffice</a>
        <nav aria-label="Main"><a href="/">Events</a><a href="/organizer">Organizer</a></nav></header>`;
    const current = location.pathname.startsWith('/organizer') ? '/organizer' : location.pathname === '/' ? '/' : null;
    const link = current && this.querySelector(`nav a[href="${current}"]`);
    if (link) link.setAttribute('aria-current', 'page');
  }
}
customElements.define('site-header', SiteHeader);
